import { beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, SessionStore } from './index';
import { clientFor, envelope, failure, fakeServer, json, tokens } from '../testing/fakeServer';

beforeEach(() => sessionStorage.clear());

describe('ApiClient: requests and the error envelope', () => {
  it('greets with the name path-encoded', async () => {
    const server = fakeServer().on('GET /helloworld/a%2Fb%20c', json(200, { message: 'Hello a/b c' }));
    await expect(clientFor(server).greet('a/b c')).resolves.toEqual({ message: 'Hello a/b c' });
    expect(server.seen[0]!.headers.Accept).toBe('application/json');
  });

  it('turns the contract envelope into an ApiError with reason, server message, metadata and request id', async () => {
    const server = fakeServer().on('POST /api/v1/auth/register',
      envelope(400, 'VALIDATION_FAILED', 'phone must be a string', { field: 'phone' }));
    const e = await failure(clientFor(server).register({
      username: 'alice', password: 'pw', email: 'a@example.com', captcha_id: 'c', captcha_code: '123456',
    }));
    expect(e.status).toBe(400);
    expect(e.reason).toBe('VALIDATION_FAILED');
    expect(e.message).toBe('phone must be a string');
    expect(e.requestId).toMatch(/^req-\d+$/);
    expect(e.field).toBe('phone');
    expect(e.userMessage).toBe('Phone must be a string');
    expect(server.seen[0]!.headers['Content-Type']).toBe('application/json');
    expect(server.seen[0]!.body).toMatchObject({ username: 'alice', captcha_code: '123456' });
  });

  it('keeps the X-Request-ID header when a proxy answers without an envelope', async () => {
    const server = fakeServer().on('GET /helloworld/x',
      new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html', 'x-request-id': 'edge-7' } }));
    const e = await failure(clientFor(server).greet('x'));
    expect(e).toMatchObject({ status: 502, reason: 'SERVICE_UNAVAILABLE', requestId: 'edge-7' });
  });

  it('reports an unreachable server as NETWORK_ERROR, with words for people', async () => {
    const failing = new ApiClient(new SessionStore(sessionStorage),
      (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch);
    const e = await failure(failing.greet('x'));
    expect(e.reason).toBe('NETWORK_ERROR');
    expect(e.userMessage).toMatch(/could not be reached/);
  });

  it('reads readiness DOWN (503) as a result, not an error', async () => {
    const down = { status: 'DOWN', outcome: 'DOWN', checks: [{ id: 'database', status: 'DOWN' }] };
    const server = fakeServer().on('GET /healthz/ready', json(503, down));
    await expect(clientFor(server).readiness()).resolves.toEqual({
      up: false, status: 'DOWN', checks: [{ id: 'database', status: 'DOWN' }],
    });
  });

  it('asks for an image captcha', async () => {
    const server = fakeServer();
    const captcha = await clientFor(server).captcha();
    expect(server.seen[0]!.path).toBe('/api/v1/auth/captcha?captcha_type=image');
    expect(captcha.image_data).toMatch(/^data:image\/png;base64,/);
  });
});

describe('ApiClient: session, Bearer tokens and refresh', () => {
  it('stores login tokens in memory and sessionStorage, and a new store reads them back', async () => {
    const server = fakeServer().on('POST /api/v1/auth/login', json(200, tokens(1)));
    const client = clientFor(server);
    await client.login({ username: 'alice', password: 'pw', captcha_id: 'c', captcha_code: '123456' });
    expect(client.session.value).toEqual({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    expect(client.session.signedIn.value).toBe(true);
    expect(new SessionStore(sessionStorage).value).toEqual({ accessToken: 'access-1', refreshToken: 'refresh-1' });
  });

  it('ignores a corrupt stored session', () => {
    sessionStorage.setItem('xredline.session', '{not json');
    expect(new SessionStore(sessionStorage).value).toBeNull();
  });

  it('sends the access token as Bearer', async () => {
    const server = fakeServer().on('GET /api/v1/auth/me', json(200, { username: 'alice' }));
    const client = clientFor(server);
    client.session.save(tokens(1));
    await client.me();
    expect(server.seen[0]!.headers.Authorization).toBe('Bearer access-1');
  });

  it('refuses an authenticated call without a session before touching the network', async () => {
    const server = fakeServer();
    const e = await failure(clientFor(server).me());
    expect(e.reason).toBe('TOKEN_MISSING');
    expect(server.seen).toHaveLength(0);
  });

  it('on 401 TOKEN_EXPIRED refreshes once with the refresh token, then repeats the call with the new access token', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', envelope(401, 'TOKEN_EXPIRED', 'access token expired'), json(200, { username: 'alice' }))
      .on('POST /api/v1/auth/refresh', json(200, tokens(2)));
    const client = clientFor(server);
    client.session.save(tokens(1));
    await expect(client.me()).resolves.toEqual({ username: 'alice' });
    expect(server.calls('POST /api/v1/auth/refresh').map((s) => s.body)).toEqual([{ refresh_token: 'refresh-1' }]);
    expect(server.calls('GET /api/v1/auth/me').map((s) => s.headers.Authorization))
      .toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(client.session.value?.refreshToken).toBe('refresh-2');
  });

  it('shares one refresh between concurrent calls that all saw TOKEN_EXPIRED (refresh tokens work once)', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', (s) => s.headers.Authorization === 'Bearer access-1'
        ? envelope(401, 'TOKEN_EXPIRED', 'expired') : json(200, { username: 'alice' }))
      .on('POST /api/v1/auth/refresh', json(200, tokens(2)));
    const client = clientFor(server);
    client.session.save(tokens(1));
    await Promise.all([client.me(), client.me(), client.me()]);
    expect(server.calls('POST /api/v1/auth/refresh')).toHaveLength(1);
  });

  it('does not refresh a second time when the repeated call is still TOKEN_EXPIRED, and ends the session', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', envelope(401, 'TOKEN_EXPIRED', 'expired'))
      .on('POST /api/v1/auth/refresh', json(200, tokens(2)));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const e = await failure(client.me());
    expect(e.reason).toBe('TOKEN_EXPIRED');
    expect(server.calls('POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(server.calls('GET /api/v1/auth/me')).toHaveLength(2);
    expect(client.session.signedIn.value).toBe(false);
  });

  it('ends the session when the refresh is refused (TOKEN_REUSED) and reports that reason', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', envelope(401, 'TOKEN_EXPIRED', 'expired'))
      .on('POST /api/v1/auth/refresh', envelope(401, 'TOKEN_REUSED', 'refresh token already used'));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const e = await failure(client.me());
    expect(e.reason).toBe('TOKEN_REUSED');
    expect(client.session.value).toBeNull();
    expect(sessionStorage.getItem('xredline.session')).toBeNull();
  });

  it('does not refresh on other 401 reasons', async () => {
    const server = fakeServer().on('GET /api/v1/auth/me', envelope(401, 'TOKEN_INVALID', 'bad signature'));
    const client = clientFor(server);
    client.session.save(tokens(1));
    await expect(client.me()).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
    expect(server.calls('POST /api/v1/auth/refresh')).toHaveLength(0);
    expect(client.session.signedIn.value).toBe(false);
  });

  it('logout forgets the tokens even when the server call fails', async () => {
    const server = fakeServer().on('POST /api/v1/auth/logout', envelope(503, 'SERVICE_UNAVAILABLE', 'redis down'));
    const client = clientFor(server);
    client.session.save(tokens(1));
    await expect(client.logout(true)).rejects.toMatchObject({ reason: 'SERVICE_UNAVAILABLE' });
    expect(server.seen[0]!.body).toEqual({ all_sessions: true });
    expect(client.session.signedIn.value).toBe(false);
  });
});

describe('account lifecycle calls', () => {
  it('takes the wait from Retry-After when a 429 envelope has no retry_after_seconds', async () => {
    const server = fakeServer().on('POST /api/v1/auth/password/forgot', json(429,
      { code: 429, reason: 'RATE_LIMITED', message: 'slow down', metadata: {}, request_id: 'r' }, { 'retry-after': '120' }));
    const error = await failure(clientFor(server).forgotPassword({ target: 'a@example.com', captcha_id: 'c', captcha_code: '1' }));
    expect(error.metadata.retry_after_seconds).toBe(120);
    expect(error.userMessage).toBe('Too many requests. Try again in 2 minutes.');
  });

  it('REAUTHENTICATION_REQUIRED is a 401 that keeps the session (it is about the password, not the token)', async () => {
    const server = fakeServer().on('POST /api/v1/auth/totp/setup',
      envelope(401, 'REAUTHENTICATION_REQUIRED', 'password is required for this change: confirm it'));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const error = await failure(client.totpSetup(''));
    expect(error.field).toBe('current_password');
    expect(client.session.signedIn.value).toBe(true);
    expect(server.calls('POST /api/v1/auth/refresh')).toHaveLength(0);
  });
});
