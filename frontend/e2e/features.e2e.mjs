// Browser end-to-end tests of what feature flags turn off (CONTRACT §12): with `totp: false` the
// two-step sign-in link and set-up are gone for a signed-in account; with `registration: false`
// the registration form gives way to a notice after the server's 403 REGISTRATION_CLOSED.
// Flags come from the environment (XREDLINE_FEATURES__<NAME>), one service start each.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CAPTCHA_CODE, screenshot, startBrowser, startService } from './harness.mjs';

const stamp = Date.now().toString(36);

async function waitForCaptcha(page) {
  await page.locator('fieldset.captcha img[src^="data:image/png;base64,"]').waitFor();
}

async function register(page, username) {
  await page.goto('/register');
  await waitForCaptcha(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('Violet-Harbor-2931');
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Characters in the image').fill(CAPTCHA_CODE);
  await page.getByRole('button', { name: 'Create account' }).click();
}

describe('flags hide what they turn off', () => {
  let chrome;

  before(async () => {
    chrome = await startBrowser();
  });

  after(async () => {
    await chrome?.browser.close();
  });

  it('totp: false — no two-step sign-in link once signed in, and /totp says it is off', async () => {
    const service = await startService('flags_totp', { XREDLINE_FEATURES__TOTP: 'false' });
    try {
      const page = await chrome.newPage(service.url);
      const username = `e2e_ff_${stamp}`;
      await register(page, username);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await waitForCaptcha(page);
      await page.getByLabel('Password').fill('Violet-Harbor-2931');
      await page.getByLabel('Characters in the image').fill(CAPTCHA_CODE);
      const flags = page.waitForResponse((r) => r.url().endsWith('/api/v1/features'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      assert.deepEqual(await (await flags).json(), { features: { totp: false } });
      await page.getByRole('navigation').getByRole('link', { name: 'Your account' }).waitFor();
      assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Two-step sign-in' }).count(), 0);
      await page.goto('/totp');
      await page.getByTestId('totp-off').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Generate a secret' }).count(), 0);
      await screenshot(page, 'flags-totp-off');
    } finally {
      await service.stop();
    }
  });

  it('registration: false — the form is replaced by a notice after the 403', async () => {
    const service = await startService('flags_reg', { XREDLINE_FEATURES__REGISTRATION: 'false' });
    try {
      const page = await chrome.newPage(service.url);
      const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register'));
      await register(page, `e2e_fr_${stamp}`);
      const response = await refused;
      assert.equal(response.status(), 403);
      assert.equal((await response.json()).reason, 'REGISTRATION_CLOSED');
      await page.getByTestId('registration-closed').waitFor();
      assert.equal(await page.locator('form').count(), 0);
      await screenshot(page, 'flags-registration-closed');
    } finally {
      await service.stop();
    }
  });
});
