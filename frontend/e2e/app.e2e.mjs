// Browser end-to-end tests that need only the core service: home page, greeter, readiness, the
// server's page fallback for history routing, keyboard use and the CSP. Run: npm run e2e
// (needs target/xredline.jar, PostgreSQL on 127.0.0.1:5432, Redis on 6379, /usr/bin/chromium).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { screenshot, startBrowser, startService } from './harness.mjs';

describe('xredline in a browser: home, greeter, readiness, page fallback', () => {
  let service;
  let chrome;

  before(async () => {
    service = await startService('app');
    chrome = await startBrowser();
  });

  after(async () => {
    await chrome?.browser.close();
    await service?.stop();
  });

  it('home page shows the greeter and readiness UP with the database and redis checks, without CSP errors', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Welcome to xredline' }).waitFor();
    const status = page.getByTestId('readiness-status');
    await status.waitFor();
    assert.equal(await status.textContent(), 'UP');
    const checks = await page.locator('table.checks tbody th').allTextContents();
    assert.ok(checks.includes('database') && checks.includes('redis'), `checks shown: ${checks}`);
    assert.equal(await page.title(), 'Home · xredline');
    await screenshot(page, 'home');
    assert.deepEqual(page.problems, []);
  });

  it('greets through the real greeter, submitted from the keyboard', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Your name').press('Enter');
    const greeting = page.locator('.greeting');
    await page.waitForFunction(() => document.querySelector('.greeting')?.textContent?.trim() === 'Hello Ada Lovelace');
    assert.equal((await greeting.textContent()).trim(), 'Hello Ada Lovelace');
    await screenshot(page, 'home-greeted');
    assert.deepEqual(page.problems, []);
  });

  it("shows the server's validation error on the field, with the request id for support", async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/');
    const greet = page.waitForResponse((r) => r.url().includes('/helloworld/'));
    await page.getByLabel('Your name').fill('a'.repeat(101));
    await page.getByRole('button', { name: 'Say hello' }).click();
    const response = await greet;
    assert.equal(response.status(), 400);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Name must be at most 100 characters/);
    assert.equal(await page.locator('.request-id').textContent(), await response.headerValue('x-request-id'));
    assert.match(await page.locator('#name-error').textContent(), /at most 100 characters/);
    assert.equal(await page.getByLabel('Your name').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
    await screenshot(page, 'home-validation-error');
  });

  it('an empty name is caught in the page and focus returns to the field', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/');
    await page.getByRole('button', { name: 'Say hello' }).click();
    assert.equal(await page.locator('#name-error').textContent(), 'Enter a name to greet.');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
  });

  it('keyboard: the first Tab reaches "Skip to content", which moves focus to the main region', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Home');
  });

  it('app pages load directly by URL (the server answers index.html) and route in the browser', async () => {
    const page = await chrome.newPage(service.url);
    for (const [path, heading] of [['/sign-in', 'Sign in'], ['/register', 'Create an account'], ['/no/such/page', 'Page not found']]) {
      const response = await page.goto(path);
      assert.equal(response.status(), 200, path);
      assert.match(response.headers()['content-type'], /^text\/html/, path);
      assert.equal(response.headers()['cache-control'], 'no-cache', path);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    }
    await screenshot(page, 'not-found');
    // a protected page sends a signed-out visitor to sign in, remembering where to return
    await page.goto('/me');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/sign-in?next=/me');
    await screenshot(page, 'sign-in');
    // moving between pages in the app moves focus to the new page's heading
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    assert.equal(await page.title(), 'Create an account · xredline');
    await screenshot(page, 'register');
  });

  it('API paths keep the JSON 404 envelope even when a browser asks for HTML; assets are immutable', async () => {
    const page = await chrome.newPage(service.url);
    const html = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const api = await page.request.get('/api/v1/nope', { headers: html });
    assert.equal(api.status(), 404);
    const body = await api.json();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'metadata', 'reason', 'request_id']);
    assert.equal(body.reason, 'NOT_FOUND');
    assert.equal(body.request_id, api.headers()['x-request-id']);

    const fallback = await page.request.get('/some/page', { headers: html });
    assert.equal(fallback.status(), 200);
    const index = await fallback.text();
    assert.match(index, /<div id="app"><\/div>/);

    const script = index.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(script, 'index.html references a hashed script under /assets/');
    const asset = await page.request.get(script);
    assert.equal(asset.status(), 200);
    assert.equal(asset.headers()['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(asset.headers()['content-security-policy'] ?? '', /default-src 'self'/);

    const missing = await page.request.get('/assets/index-0000.js', { headers: html });
    assert.equal(missing.status(), 404);
    assert.equal((await missing.json()).reason, 'NOT_FOUND');
  });
});
