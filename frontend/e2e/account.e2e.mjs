// Browser end-to-end tests of the account-lifecycle pages against the real API (CONTRACT §10):
// change password, sessions, verify email, forgot/reset, and two-step sign-in with recovery codes
// (sign in with one, turn TOTP off with one). Every captcha, email code and reset code is
// conf/config-test.yaml's auth.captcha.fixed_code (XREDLINE_ENV=test). Accounts are registered
// through the API; what is under test is the pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CAPTCHA_CODE, screenshot, startBrowser, startService } from './harness.mjs';
import { totpCode } from './totp.mjs';

const stamp = Date.now().toString(36);
const account = (name) => ({
  username: `e2e_${name}_${stamp}`,
  password: 'Violet-Harbor-2931',
  email: `e2e_${name}_${stamp}@example.com`,
});
const NEW_PASSWORD = 'Amber-Lantern-8462';

/** Calls the API as another device would (its own User-Agent), not through the page. */
async function call(base, method, path, { body, token, agent = 'e2e-other-device/1.0' } = {}) {
  const headers = { Accept: 'application/json', 'User-Agent': agent };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function captcha(base) {
  const { status, body } = await call(base, 'GET', '/api/v1/auth/captcha?captcha_type=image');
  assert.equal(status, 200);
  return { captcha_id: body.captcha_id, captcha_code: CAPTCHA_CODE };
}

async function register(base, user) {
  const { status, body } = await call(base, 'POST', '/api/v1/auth/register', {
    body: { username: user.username, password: user.password, email: user.email, ...(await captcha(base)) },
  });
  assert.equal(status, 201, JSON.stringify(body));
}

/** A second session of the account, signed in from "another device"; answers its access token. */
async function signInElsewhere(base, user, password = user.password) {
  const { status, body } = await call(base, 'POST', '/api/v1/auth/login', {
    body: { username: user.username, password, ...(await captcha(base)) },
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body.access_token;
}

async function waitForCaptcha(page) {
  await page.locator('fieldset.captcha img[src^="data:image/png;base64,"]').waitFor();
}

async function signIn(page, user, { password = user.password, code } = {}) {
  await page.goto('/sign-in');
  await waitForCaptcha(page);
  await page.getByLabel('Username, email or phone').fill(user.username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Characters in the image').fill(CAPTCHA_CODE);
  if (code) {
    await page.getByLabel('Authenticator or recovery code').fill(code);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signedIn(page, user, options) {
  await signIn(page, user, options);
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  await page.getByTestId('me-username').waitFor();
}

async function alertReason(page) {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  return alert.getAttribute('data-reason');
}

/** Only the refusals a test provokes on purpose may show up as failed loads; no CSP or script errors. */
function unexpected(page) {
  return page.problems.filter((p) => !/status of (400|401|404|429)/.test(p));
}

describe('account lifecycle pages in a browser', () => {
  let service;
  let chrome;
  const users = { pw: account('pw'), sess: account('sess'), mail: account('mail'), totp: account('totp'), reset: account('reset') };

  before(async () => {
    service = await startService('account');
    chrome = await startBrowser();
    for (const user of Object.values(users)) {
      await register(service.url, user);
    }
  });

  after(async () => {
    await chrome?.browser.close();
    await service?.stop();
  });

  it('change password: PASSWORD_INCORRECT on the current password, PASSWORD_WEAK on the new one, then changed and the other session is ended', async () => {
    const user = users.pw;
    const other = await signInElsewhere(service.url, user);
    const page = await chrome.newPage(service.url);
    await signedIn(page, user);
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Change password' }).waitFor();

    await page.getByLabel('Current password').fill('Not-The-Password-77');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    assert.equal(await alertReason(page), 'PASSWORD_INCORRECT');
    assert.match(await page.locator('#current_password-error').textContent(), /current password is not correct/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'current_password');
    await screenshot(page, 'account-password-incorrect');

    await page.getByLabel('Current password').fill(user.password);
    await page.getByLabel('New password', { exact: true }).fill('password');
    await page.getByLabel('New password again').fill('password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#new_password-error').waitFor();
    assert.equal(await alertReason(page), 'PASSWORD_WEAK');
    assert.match(await page.locator('#new_password-error').textContent(), /stronger password/);

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    await screenshot(page, 'account-password-changed');
    assert.equal((await call(service.url, 'GET', '/api/v1/auth/me', { token: other })).status, 401, 'the other session is ended');
    // this one stays signed in
    await page.goto('/me');
    await page.getByTestId('me-username').waitFor();
    user.password = NEW_PASSWORD;
    assert.deepEqual(unexpected(page), []);
  });

  it('sessions: lists both sign-ins with the current one marked, ends the other, then "Sign out here" ends this one', async () => {
    const user = users.sess;
    const other = await signInElsewhere(service.url, user);
    const page = await chrome.newPage(service.url);
    await signedIn(page, user);
    await page.getByRole('link', { name: 'Your sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your sessions' }).waitFor();
    const rows = page.getByTestId('sessions').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    const current = page.locator('tr[data-current="true"]');
    assert.match(await current.textContent(), /This device/);
    assert.match(await current.textContent(), /HeadlessChrome|Chrome/);
    const otherRow = rows.filter({ hasText: 'e2e-other-device/1.0' });
    assert.match(await otherRow.textContent(), /127\.0\.0\.1/);
    await screenshot(page, 'account-sessions');

    await otherRow.getByRole('button', { name: /^End session from 127\.0\.0\.1/ }).click();
    await page.getByText('is ended.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sessions"] tbody tr').length === 1);
    assert.equal((await call(service.url, 'GET', '/api/v1/auth/me', { token: other })).status, 401, 'the ended session is refused');

    await page.getByRole('button', { name: 'Sign out here' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.match(await page.getByRole('status').first().textContent(), /you are signed out/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('xredline.session')), null);
    assert.deepEqual(unexpected(page), []);
  });

  it('verify email: sends a code to the own address, says RATE_LIMITED with the wait when asked again at once, refuses a wrong code, verifies with the right one', async () => {
    const user = users.mail;
    const page = await chrome.newPage(service.url);
    await signedIn(page, user);
    await page.getByRole('link', { name: 'Verify it' }).click();
    await page.getByRole('heading', { level: 1, name: 'Verify your email' }).waitFor();
    await page.getByLabel('Your email address').fill(user.email);
    await page.getByRole('button', { name: 'Send a code' }).click();
    await page.getByTestId('email-code-sent').waitFor();
    assert.match(await page.getByTestId('email-code-sent').textContent(), new RegExp(`on its way to ${user.email}`));

    // code_target: one code per address per 60 s
    await page.getByRole('button', { name: 'Send a new code' }).click();
    assert.equal(await alertReason(page), 'RATE_LIMITED');
    assert.match(await page.getByRole('alert').textContent(), /Too many requests\. Try again in \d+ seconds?\./);
    await screenshot(page, 'account-verify-email-rate-limited');

    await page.getByLabel('Code from the email').fill('000000');
    await page.getByRole('button', { name: 'Verify email' }).click();
    await page.locator('#code-error').waitFor();
    assert.equal(await page.locator('form [role="alert"], section [role="alert"]').last().getAttribute('data-reason'), 'CODE_INVALID');
    await page.getByLabel('Code from the email').fill(CAPTCHA_CODE);
    await page.getByRole('button', { name: 'Verify email' }).click();
    await page.getByTestId('email-verified').waitFor();
    await screenshot(page, 'account-verify-email-done');

    await page.goto('/me');
    await page.getByTestId('me-email-verified').waitFor();
    assert.deepEqual(unexpected(page), []);
  });

  it('two-step sign-in: recovery codes shown once, sign-in with one instead of the app code, turn it off with another', async () => {
    const user = users.totp;
    const page = await chrome.newPage(service.url);
    await signedIn(page, user);
    await page.getByRole('link', { name: 'Two-step sign-in' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Two-step sign-in' }).waitFor();
    await page.getByLabel('Your password').fill(user.password);
    await page.getByRole('button', { name: 'Generate a secret' }).click();
    const otpauth = await page.getByRole('link', { name: 'Open in authenticator app' }).getAttribute('href');
    await page.getByLabel('Code from your authenticator app').fill(totpCode(otpauth));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.equal(await page.getByTestId('totp-secret').count(), 0, 'the secret is hidden once two-step sign-in is on');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
    await page.getByRole('button', { name: 'Copy codes' }).click();
    await page.getByText('The codes are copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(codes.every((c) => copied.includes(c)), 'every code is on the clipboard');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Two-step sign-in is on' }).waitFor();
    assert.equal(await page.getByTestId('recovery-codes').count(), 0, 'the codes are never shown again');

    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await signIn(page, user);
    assert.equal(await alertReason(page), 'TOTP_REQUIRED');
    assert.match(await page.locator('#totp_code-error').textContent(), /recovery codes/);
    await screenshot(page, 'account-sign-in-totp-required');
    await signedIn(page, user, { code: codes[0].toUpperCase() });

    await page.goto('/totp');
    await page.getByRole('heading', { level: 2, name: 'Two-step sign-in is on' }).waitFor();
    await page.getByLabel('Your password').fill(user.password);
    await page.getByLabel('Authenticator or recovery code').fill(codes[0]);
    await page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    assert.equal(await alertReason(page), 'TOTP_INVALID', 'a recovery code works once');
    await page.getByLabel('Your password').fill(user.password);
    await page.getByLabel('Authenticator or recovery code').fill(codes[1]);
    await page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    await page.getByText('Two-step sign-in is off.').waitFor();
    await screenshot(page, 'account-totp-off');

    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await signedIn(page, user);
    assert.deepEqual(unexpected(page), []);
  });

  it('forgot → reset: the 202 message, CODE_INVALID for a wrong code, then the new password signs in', async () => {
    const user = users.reset;
    const page = await chrome.newPage(service.url);
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await waitForCaptcha(page);
    await page.getByLabel('Email or phone of your account').fill(user.email);
    await page.getByLabel('Characters in the image').fill('zzzzzz');
    await page.getByRole('button', { name: 'Send a code' }).click();
    assert.equal(await alertReason(page), 'CAPTCHA_INVALID');
    await waitForCaptcha(page);
    await page.getByLabel('Characters in the image').fill(CAPTCHA_CODE);
    await page.getByRole('button', { name: 'Send a code' }).click();
    await page.getByTestId('forgot-accepted').waitFor();
    assert.ok((await page.getByTestId('forgot-accepted').textContent()).trim().length > 0);
    await screenshot(page, 'account-forgot-accepted');

    await page.getByRole('link', { name: 'Enter the code and a new password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    assert.equal(await page.getByLabel('Email or phone the code was sent to').inputValue(), user.email);
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Reset password' }).click();
    assert.equal(await alertReason(page), 'CODE_INVALID');
    assert.match(await page.locator('#code-error').textContent(), /code is not correct/);
    await screenshot(page, 'account-reset-code-invalid');
    await page.getByLabel('Code', { exact: true }).fill(CAPTCHA_CODE);
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.match(await page.getByRole('status').first().textContent(), /Your password is reset/);

    await signedIn(page, user, { password: NEW_PASSWORD });
    assert.deepEqual(unexpected(page), []);
  });
});
