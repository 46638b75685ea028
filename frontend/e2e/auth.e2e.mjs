// Browser end-to-end tests of the account flows against the real auth API (CONTRACT §3):
// register → sign in → me → two-step set-up → sign out → me sends you to sign in, plus the
// INVALID_CREDENTIALS and USER_EXISTS messages. Run: npm run e2e:auth
// The captcha answer is conf/config-test.yaml's auth.captcha.fixed_code (XREDLINE_ENV=test).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CAPTCHA_CODE, screenshot, startBrowser, startService } from './harness.mjs';
import { totpCode } from './totp.mjs';

const stamp = Date.now().toString(36);
const user = {
  username: `e2e_${stamp}`,
  password: 'Violet-Harbor-2931',
  email: `e2e_${stamp}@example.com`,
  phone: `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
};

async function waitForCaptcha(page) {
  await page.locator('fieldset.captcha img[src^="data:image/png;base64,"]').waitFor();
}

async function fillRegistration(page, fields) {
  await page.goto('/register');
  await waitForCaptcha(page);
  await page.getByLabel('Username').fill(fields.username);
  await page.getByLabel('Password').fill(fields.password);
  await page.getByLabel('Email').fill(fields.email);
  if (fields.phone) {
    await page.getByLabel('Phone').fill(fields.phone);
  }
  await page.getByLabel('Characters in the image').fill(CAPTCHA_CODE);
}

async function signIn(page, username, password) {
  await waitForCaptcha(page);
  await page.getByLabel('Username, email or phone').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Characters in the image').fill(CAPTCHA_CODE);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('account flows in a browser', () => {
  let service;
  let chrome;

  before(async () => {
    service = await startService('auth');
    chrome = await startBrowser();
  });

  after(async () => {
    await chrome?.browser.close();
    await service?.stop();
  });

  it('registers with the image captcha and lands on sign-in with the username filled in', async () => {
    const page = await chrome.newPage(service.url);
    await fillRegistration(page, user);
    await screenshot(page, 'auth-register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.match(await page.getByRole('status').first().textContent(), new RegExp(`Account “${user.username}” created`));
    assert.equal(await page.getByLabel('Username, email or phone').inputValue(), user.username);
    assert.deepEqual(page.problems, []);
  });

  it('a wrong password shows the INVALID_CREDENTIALS message with a request id, and a fresh captcha', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/sign-in');
    await waitForCaptcha(page);
    const freshCaptcha = page.waitForResponse((r) => r.url().includes('/api/v1/auth/captcha'));
    await signIn(page, user.username, 'Not-The-Password-77');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-reason'), 'INVALID_CREDENTIALS');
    assert.match(await alert.textContent(), /The username or password is not correct\./);
    assert.match(await page.locator('.request-id').textContent(), /\S{8,}/);
    assert.equal((await freshCaptcha).status(), 200, 'a used captcha is replaced by a fresh one');
    await waitForCaptcha(page);
    assert.equal(await page.getByLabel('Characters in the image').inputValue(), '');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    await screenshot(page, 'auth-sign-in-wrong-password');
  });

  it('signs in → your account → two-step set-up → sign out; then /me sends you back to sign in', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/me');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await signIn(page, user.email, user.password); // email works as the login name too

    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.getByTestId('me-username').waitFor();
    assert.equal(await page.getByTestId('me-username').textContent(), user.username);
    const shownEmail = await page.evaluate(() => [...document.querySelectorAll('dl.profile dt')]
      .find((dt) => dt.textContent === 'Email')?.nextElementSibling?.textContent);
    assert.notEqual(shownEmail, user.email, 'the email is shown masked');
    await screenshot(page, 'auth-me');

    await page.getByRole('navigation').getByRole('link', { name: 'Two-step sign-in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Two-step sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Generate a secret' }).click();
    assert.match(await page.locator('#totp_password-error').textContent(), /current password/);
    await page.getByLabel('Your password').fill('Not-The-Password-77');
    await page.getByRole('button', { name: 'Generate a secret' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByRole('alert').getAttribute('data-reason'), 'PASSWORD_INCORRECT');
    await page.getByLabel('Your password').fill(user.password);
    await page.getByRole('button', { name: 'Generate a secret' }).click();
    const secret = page.getByTestId('totp-secret');
    await secret.waitFor();
    assert.match(await secret.textContent(), /^[A-Z2-7 ]{16,}$/);
    const otpauth = await page.getByRole('link', { name: 'Open in authenticator app' }).getAttribute('href');
    assert.match(otpauth, /^otpauth:\/\/totp\//);
    await screenshot(page, 'auth-totp-setup');
    await page.getByLabel('Code from your authenticator app').fill(totpCode(otpauth));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByText('Two-step sign-in is on.').waitFor();
    const codes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    for (const code of codes) {
      assert.match(code, /^[a-z0-9]{4}-[a-z0-9]{4}$/);
    }
    user.recoveryCodes = codes;
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download codes' }).click();
    assert.equal((await download).suggestedFilename(), 'xredline-recovery-codes.txt');
    await screenshot(page, 'auth-totp-recovery-codes');

    const accessToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('xredline.session')).accessToken);
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await page.getByRole('status').first().textContent(), 'You are signed out.');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('xredline.session')), null);
    // the server forgot the token too (deny-list), not just the page
    const me = await page.request.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${accessToken}` } });
    assert.equal(me.status(), 401);

    await page.goto('/me');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.deepEqual(page.problems.filter((p) => !p.includes('401') && !p.includes('400')), [], 'only the refused calls the test makes on purpose');
  });

  it('registering a taken username shows USER_EXISTS on the username field', async () => {
    const page = await chrome.newPage(service.url);
    await fillRegistration(page, { ...user, email: `other_${stamp}@example.com`, phone: '' });
    await page.getByRole('button', { name: 'Create account' }).click();
    const fieldError = page.locator('#username-error');
    await fieldError.waitFor();
    assert.equal(await fieldError.textContent(), 'That username is already taken. Choose another one.');
    assert.equal(await page.getByRole('alert').getAttribute('data-reason'), 'USER_EXISTS');
    assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
    await screenshot(page, 'auth-register-user-exists');
  });
});
