// Swagger UI at /docs in a real browser: it renders the service's own OpenAPI document from files
// in the jar, under the service's CSP (a violation is a console error, which fails the test).
// Run: npm run e2e (needs target/xredline.jar, PostgreSQL, Redis, /usr/bin/chromium).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { screenshot, startBrowser, startService } from './harness.mjs';

describe('API documentation in a browser: Swagger UI at /docs', () => {
  let service;
  let chrome;

  before(async () => {
    service = await startService('docs');
    chrome = await startBrowser();
  });

  after(async () => {
    await chrome?.browser.close();
    await service?.stop();
  });

  it('renders every tag and the login operation from /openapi.json, with no CSP or script errors', async () => {
    const page = await chrome.newPage(service.url);
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    const response = await page.goto('/docs');
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
    await page.locator('.swagger-ui .info .title').waitFor();
    assert.match(await page.locator('.swagger-ui .info .title').textContent(), /xredline/);
    for (const tag of ['auth', 'audit', 'greeter', 'health', 'meta']) {
      await page.locator(`#operations-tag-${tag}`).waitFor();
    }
    const login = page.locator('#operations-auth-login');
    await login.waitFor();
    assert.match(await login.textContent(), /\/api\/v1\/auth\/login/);
    assert.ok(requests.some((url) => url.endsWith('/openapi.json')), 'the UI loads the service\'s own description');
    const foreign = requests.filter((url) => !url.startsWith(service.url) && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'everything comes from the service itself (no CDN, no validator badge)');
    await screenshot(page, 'docs');
    assert.deepEqual(page.problems, []);
  });

  it('opens an operation and shows its documented error reasons', async () => {
    const page = await chrome.newPage(service.url);
    await page.goto('/docs#/auth/login');
    const login = page.locator('#operations-auth-login');
    await login.waitFor();
    if (!(await login.locator('.responses-wrapper').count())) {
      await login.locator('.opblock-summary').click();
    }
    await login.locator('.responses-wrapper').waitFor();
    const responses = await login.locator('.responses-table .response-col_status').allTextContents();
    for (const status of ['200', '400', '401', '403', '503']) {
      assert.ok(responses.some((s) => s.trim().startsWith(status)), `status ${status} in ${responses}`);
    }
    await login.scrollIntoViewIfNeeded();
    await screenshot(page, 'docs-login', { fullPage: false });
    assert.deepEqual(page.problems, []);
  });
});
