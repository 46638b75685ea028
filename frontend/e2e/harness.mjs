// Shared set-up for the browser end-to-end tests: the real fat jar on free ports against a fresh
// PostgreSQL database and a unique Redis key prefix, and Debian's Chromium driven by playwright-core
// (no browser download: executablePath is the system's chromium).
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const JAR = resolve(here, '../../target/xredline.jar');
export const SCREENSHOTS = join(here, 'screenshots');
export const CHROMIUM = process.env.XREDLINE_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** conf/config-test.yaml: auth.captcha.fixed_code makes every captcha answer this. */
export const CAPTCHA_CODE = process.env.XREDLINE_TEST_CAPTCHA ?? '123456';

// the same variables the Java tests read (TestBackends): an admin URL that may create databases
const PG_ADMIN_URL = process.env.XREDLINE_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.XREDLINE_TEST_REDIS_URL || 'redis://127.0.0.1:6379/0';
const READY_TIMEOUT_MS = 180_000;

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

function psql(sql) {
  execFileSync('psql', [PG_ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function databaseUrl(name) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Starts the service (or uses XREDLINE_E2E_URL) with `extraEnv` on top of the test settings and waits for /healthz/ready. Returns { url, stop() }; stop() sends SIGTERM,
 * waits for the exit, drops the database and prints the service log when the run failed.
 */
export async function startService(hint, extraEnv = {}) {
  if (process.env.XREDLINE_E2E_URL) {
    // an already running service (scripts/run, a staging box): nothing to start or clean up
    return { url: process.env.XREDLINE_E2E_URL.replace(/\/$/, ''), stop: async () => {} };
  }
  if (!existsSync(JAR)) {
    throw new Error(`${JAR} is missing: build it first (mvn -DskipTests package, or scripts/test)`);
  }
  const suffix = `${hint}_${process.pid}_${Date.now().toString(36)}`;
  const database = `xredline_e2e_${suffix}`.toLowerCase();
  const keyPrefix = `xredline-e2e:${suffix}:`;
  psql(`CREATE DATABASE "${database}"`);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const logFile = join(tmpdir(), `xredline-e2e-${suffix}.log`);
  const log = createWriteStream(logFile);
  const env = {
    ...process.env,
    XREDLINE_ENV: 'test',
    XREDLINE_SERVER__HTTP__HOST: '127.0.0.1',
    XREDLINE_SERVER__HTTP__PORT: String(httpPort),
    XREDLINE_SERVER__HTTP__INSTANCES: '1',
    XREDLINE_SERVER__GRPC__HOST: '127.0.0.1',
    XREDLINE_SERVER__GRPC__PORT: String(grpcPort),
    XREDLINE_SERVER__GRPC__INSTANCES: '1',
    XREDLINE_SERVER__SHUTDOWN_TIMEOUT: '5s',
    XREDLINE_DATA__DATABASE__URL: databaseUrl(database),
    XREDLINE_DATA__REDIS__URL: REDIS_URL,
    XREDLINE_DATA__REDIS__KEY_PREFIX: keyPrefix,
  };
  Object.assign(env, extraEnv);
  // the jar serves the frontend built into it; a caller may point it at a fresher dist/
  if (process.env.XREDLINE_E2E_FRONTEND_DIR) {
    env.XREDLINE_SERVER__HTTP__FRONTEND_DIR = process.env.XREDLINE_E2E_FRONTEND_DIR;
  }
  const child = spawn('java', ['-Xmx384m', '-jar', JAR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));

  const url = `http://127.0.0.1:${httpPort}`;
  let failed = false;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    try {
      psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } catch (e) {
      console.error(`could not drop ${database}: ${e.stderr ?? e}`);
    }
    if (failed || process.exitCode) {
      console.error(`--- service log (${logFile}), last lines ---\n${tail(logFile, 40)}`);
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      failed = true;
      await stop();
      throw new Error(`the service exited with ${child.exitCode} before it was ready; log: ${logFile}`);
    }
    try {
      const response = await fetch(`${url}/healthz/ready`);
      if (response.status === 200) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      failed = true;
      await stop();
      throw new Error(`the service was not ready within ${READY_TIMEOUT_MS / 1000}s; log: ${logFile}`);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return { url, stop };
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Chromium with the flags these machines need; every page records console errors and uncaught
 * exceptions (a CSP violation shows up as a console error), so a test can assert there were none.
 */
export async function startBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (never npx playwright install)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return {
    browser,
    async newPage(baseURL) {
      const context = await browser.newContext({ baseURL, viewport: { width: 1024, height: 800 }, locale: 'en-US' });
      const page = await context.newPage();
      page.problems = [];
      page.on('console', (message) => {
        if (message.type() === 'error') {
          page.problems.push(`console: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
      return page;
    },
  };
}

/**
 * The whole page, or with {@code fullPage: false} the viewport only: a full-page capture stretches
 * the viewport to the page's height, and Chromium once stalled past the 30 s timeout doing that
 * for the Swagger UI with an operation open (the page alone is 5,590 px) on a fresh-clone run.
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}
