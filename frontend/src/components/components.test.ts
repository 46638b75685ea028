import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import ErrorNotice from './ErrorNotice.vue';
import TextField from './TextField.vue';
import RecoveryCodes from './RecoveryCodes.vue';
import { ApiError } from '../api';
import { CAPTCHA_PNG, clientFor, envelope, fakeServer, json, tokens } from '../testing/fakeServer';
import { mountApp } from '../testing/mountPage';

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  document.body.innerHTML = '';
});

describe('ErrorNotice', () => {
  it('announces the mapped message, the server message and the request id', () => {
    const wrapper = mount(ErrorNotice, {
      props: { error: new ApiError(401, 'INVALID_CREDENTIALS', 'invalid credentials', {}, 'abc-123'), title: 'Nope.' },
    });
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Nope. The username or password is not correct.');
    expect(alert.text()).toContain('Server said: invalid credentials');
    expect(alert.get('code.request-id').text()).toBe('abc-123');
    expect(alert.attributes('data-reason')).toBe('INVALID_CREDENTIALS');
  });

  it('does not repeat the server message when the mapped message already says it', () => {
    const wrapper = mount(ErrorNotice, {
      props: { error: new ApiError(400, 'VALIDATION_FAILED', 'name must be at most 100 characters', { field: 'name' }, 'r-1') },
    });
    expect(wrapper.text()).toContain('Name must be at most 100 characters');
    expect(wrapper.text()).not.toContain('Server said');
  });

  it('renders nothing without an error', () => {
    expect(mount(ErrorNotice, { props: { error: null } }).find('[role="alert"]').exists()).toBe(false);
  });
});

describe('TextField', () => {
  it('labels its input and links hint and error through aria-describedby', () => {
    const wrapper = mount(TextField, { props: { id: 'email', label: 'Email', hint: 'We never share it.', error: 'Bad email' } });
    const input = wrapper.get('input');
    expect(wrapper.get('label').attributes('for')).toBe('email');
    expect(input.attributes('aria-invalid')).toBe('true');
    expect(input.attributes('aria-describedby')).toBe('email-error email-hint');
    expect(wrapper.get('#email-error').text()).toBe('Bad email');
    expect(wrapper.get('label').text()).toContain('(optional)');
  });
});

describe('Home page', () => {
  it('greets through GET /helloworld/{name} and shows readiness with its checks', async () => {
    const server = fakeServer()
      .on('GET /healthz/ready', json(200, { status: 'UP', checks: [{ id: 'database', status: 'UP', data: { duration_ms: 1.25 } }] }))
      .on('GET /helloworld/Ada', json(200, { message: 'Hello Ada' }));
    const { wrapper } = await mountApp(clientFor(server), '/');
    expect(wrapper.get('[data-testid="readiness-status"]').text()).toBe('UP');
    expect(wrapper.get('table.checks').text()).toContain('database');
    expect(wrapper.get('table.checks').text()).toContain('1.3 ms');

    await wrapper.get('#name').setValue('Ada');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('.greeting').text()).toBe('Hello Ada');
  });

  it('asks for a name instead of calling the server with an empty one', async () => {
    const server = fakeServer().on('GET /healthz/ready', json(503, { status: 'DOWN', checks: [] }));
    const { wrapper } = await mountApp(clientFor(server), '/');
    expect(wrapper.get('[data-testid="readiness-status"]').text()).toBe('DOWN');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#name-error').text()).toBe('Enter a name to greet.');
    expect(document.activeElement?.id).toBe('name');
    expect(server.calls('GET /helloworld/')).toHaveLength(0);
  });
});

describe('Sign-in page', () => {
  it('shows the captcha as an image and, on a wrong password, the mapped message, the request id and a fresh captcha', async () => {
    const server = fakeServer().on('POST /api/v1/auth/login', envelope(401, 'INVALID_CREDENTIALS', 'invalid credentials'));
    const { wrapper } = await mountApp(clientFor(server), '/sign-in');
    expect(wrapper.get('fieldset.captcha img').attributes('src')).toBe(CAPTCHA_PNG);

    await wrapper.get('#username').setValue('alice');
    await wrapper.get('#password').setValue('wrong-password');
    await wrapper.get('#captcha_code').setValue('123456');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('The username or password is not correct.');
    expect(alert.get('.request-id').text()).toMatch(/^req-\d+$/);
    expect(server.calls('POST /api/v1/auth/login')[0]!.body).toEqual({
      username: 'alice', password: 'wrong-password', captcha_id: 'cap-1', captcha_code: '123456',
    });
    expect(server.calls('GET /api/v1/auth/captcha')).toHaveLength(2);
    expect((wrapper.get('#password').element as HTMLInputElement).value).toBe('');
    expect((wrapper.get('#captcha_code').element as HTMLInputElement).value).toBe('');
  });

  it('puts TOTP_REQUIRED on the authenticator field and focuses it', async () => {
    const server = fakeServer().on('POST /api/v1/auth/login', envelope(401, 'TOTP_REQUIRED', 'totp code required'));
    const { wrapper } = await mountApp(clientFor(server), '/sign-in');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('#totp_code').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('#totp_code-error').text()).toContain('6-digit code');
    expect(document.activeElement?.id).toBe('totp_code');
  });

  it('sends a recovery code as recovery_code and 6 digits as totp_code', async () => {
    const server = fakeServer().on('POST /api/v1/auth/login', envelope(401, 'TOTP_INVALID', 'x'));
    const { wrapper } = await mountApp(clientFor(server), '/sign-in');
    for (const typed of ['Ab12-cd34', '123 456']) {
      await wrapper.get('#username').setValue('alice');
      await wrapper.get('#password').setValue('pw');
      await wrapper.get('#totp_code').setValue(typed);
      await wrapper.get('form').trigger('submit');
      await flushPromises();
    }
    const bodies = server.calls('POST /api/v1/auth/login').map((s) => s.body as Record<string, string>);
    expect(bodies[0]!.recovery_code).toBe('ab12-cd34');
    expect(bodies[0]!.totp_code).toBeUndefined();
    expect(bodies[1]!.totp_code).toBe('123456');
    expect(bodies[1]!.recovery_code).toBeUndefined();
  });

  it('signs in, keeps the tokens and goes to the page that asked for it', async () => {
    const server = fakeServer()
      .on('POST /api/v1/auth/login', json(200, tokens(1)))
      .on('GET /api/v1/auth/me', json(200, {
        user_id: 7, username: 'alice', email: 'al***@example.com', phone: null, totp_enabled: false,
        created_at: '2025-01-01T00:00:00Z',
      }));
    const client = clientFor(server);
    const { wrapper, router } = await mountApp(client, '/me');
    expect(router.currentRoute.value.fullPath).toBe('/sign-in?next=/me');

    await wrapper.get('#username').setValue('alice');
    await wrapper.get('#password').setValue('correct horse');
    await wrapper.get('#captcha_code').setValue('123456');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(router.currentRoute.value.path).toBe('/me');
    expect(client.session.value?.accessToken).toBe('access-1');
    expect(wrapper.get('[data-testid="me-username"]').text()).toBe('alice');
    expect(server.calls('GET /api/v1/auth/me')[0]!.headers.Authorization).toBe('Bearer access-1');
  });

  it('never follows a next= that leaves the app', async () => {
    const server = fakeServer().on('POST /api/v1/auth/login', json(200, tokens(1)))
      .on('GET /api/v1/auth/me', json(200, { username: 'alice', totp_enabled: false, created_at: '' }));
    const { wrapper, router } = await mountApp(clientFor(server), '/sign-in?next=//evil.example/');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/me');
  });
});

describe('Register page', () => {
  it('marks the username field on USER_EXISTS, focuses it and loads a fresh captcha', async () => {
    const server = fakeServer().on('POST /api/v1/auth/register', envelope(409, 'USER_EXISTS', 'username already taken'));
    const { wrapper } = await mountApp(clientFor(server), '/register');
    await wrapper.get('#username').setValue('alice');
    await wrapper.get('#password').setValue('a long passphrase');
    await wrapper.get('#email').setValue('alice@example.com');
    await wrapper.get('#captcha_code').setValue('123456');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(server.calls('POST /api/v1/auth/register')[0]!.body).toEqual({
      username: 'alice', password: 'a long passphrase', email: 'alice@example.com', captcha_id: 'cap-1', captcha_code: '123456',
    });
    expect(wrapper.get('#username-error').text()).toBe('That username is already taken. Choose another one.');
    expect(wrapper.get('[role="alert"]').text()).toContain('username already taken');
    expect(document.activeElement?.id).toBe('username');
    expect(server.calls('GET /api/v1/auth/captcha')).toHaveLength(2);
  });

  it('sends the optional phone only when given, then sends the user to sign in', async () => {
    const server = fakeServer().on('POST /api/v1/auth/register', json(201, { message: 'registered', user_id: 9 }));
    const { wrapper, router } = await mountApp(clientFor(server), '/register');
    await wrapper.get('#username').setValue('bob');
    await wrapper.get('#phone').setValue(' +4915112345678 ');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/register')[0]!.body).toMatchObject({ phone: '+4915112345678' });
    expect(router.currentRoute.value.fullPath).toBe('/sign-in?username=bob');
    expect(wrapper.get('.notice-info').text()).toContain('Account “bob” created');
    expect((wrapper.get('#username').element as HTMLInputElement).value).toBe('bob');
  });
});

describe('Account and two-step pages', () => {
  it('signs out: calls logout with the Bearer token, forgets the session, lands on sign-in with a notice', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', json(200, { username: 'alice', totp_enabled: true, created_at: '' }))
      .on('POST /api/v1/auth/logout', json(200, { success: true }));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const { wrapper, router } = await mountApp(client, '/me');
    const signOut = wrapper.findAll('main button').find((b) => b.text() === 'Sign out')!;
    await signOut.trigger('click');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/logout')[0]!.headers.Authorization).toBe('Bearer access-1');
    expect(client.session.signedIn.value).toBe(false);
    expect(router.currentRoute.value.path).toBe('/sign-in');
    expect(wrapper.get('.notice-info').text()).toBe('You are signed out.');
  });

  it('sends a refused session back to sign-in', async () => {
    const server = fakeServer().on('GET /api/v1/auth/me', envelope(401, 'TOKEN_INVALID', 'bad token'));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const { wrapper, router } = await mountApp(client, '/me');
    expect(router.currentRoute.value.fullPath).toBe('/sign-in?next=/me');
    expect(wrapper.get('.notice-info').text()).toContain('Sign in again');
  });

  it('sets up TOTP: asks for the password, shows the secret and otpauth link, enables it with a code and shows the recovery codes once', async () => {
    const setup = { secret: 'JBSWY3DPEHPK3PXPJBSW', otpauth_url: 'otpauth://totp/xredline:alice?secret=JBSWY3DPEHPK3PXPJBSW&issuer=xredline' };
    const codes = Array.from({ length: 10 }, (_, i) => `ab${i}c-d${i}ef`);
    const server = fakeServer()
      .on('GET /api/v1/auth/me', json(200, { username: 'alice', totp_enabled: false, created_at: '' }))
      .on('POST /api/v1/auth/totp/setup', envelope(400, 'PASSWORD_INCORRECT', 'current password is incorrect'), json(200, setup))
      .on('POST /api/v1/auth/totp/enable', envelope(401, 'TOTP_INVALID', 'invalid totp code'),
        json(200, { success: true, recovery_codes: codes }));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const { wrapper } = await mountApp(client, '/totp');
    const generate = () => wrapper.findAll('main button').find((b) => b.text() === 'Generate a secret')!;
    await generate().trigger('click');
    expect(wrapper.get('#totp_password-error').text()).toContain('current password');
    expect(server.calls('POST /api/v1/auth/totp/setup')).toHaveLength(0);

    await wrapper.get('#totp_password').setValue('wrong');
    await generate().trigger('submit');
    await flushPromises();
    expect(wrapper.get('#totp_password-error').text()).toContain('current password is not correct');
    expect(document.activeElement?.id).toBe('totp_password');

    await wrapper.get('#totp_password').setValue('correct horse');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/totp/setup').map((s) => s.body)).toEqual([{ password: 'wrong' }, { password: 'correct horse' }]);
    expect(wrapper.get('[data-testid="totp-secret"]').text()).toBe('JBSW Y3DP EHPK 3PXP JBSW');
    expect(wrapper.get('a[href^="otpauth:"]').attributes('href')).toBe(setup.otpauth_url);

    const enableForm = () => wrapper.findAll('form').at(-1)!;
    await wrapper.get('#totp_code').setValue('12');
    await enableForm().trigger('submit');
    expect(wrapper.get('#totp_code-error').text()).toContain('6 digits');
    expect(server.calls('POST /api/v1/auth/totp/enable')).toHaveLength(0);

    await wrapper.get('#totp_code').setValue('123 456');
    await enableForm().trigger('submit');
    await flushPromises();
    expect(wrapper.get('#totp_code-error').text()).toContain('not correct');

    await wrapper.get('#totp_code').setValue('654321');
    await enableForm().trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/totp/enable').map((s) => s.body)).toEqual([{ totp_code: '123456' }, { totp_code: '654321' }]);
    expect(wrapper.get('.notice-success').text()).toContain('Two-step sign-in is on');
    expect(wrapper.findAll('[data-testid="recovery-codes"] li').map((li) => li.text())).toEqual(codes);
    expect(wrapper.text()).toContain('shown only this once');
  });

  it('recovery codes: copy puts them on the clipboard, download saves a text file', async () => {
    const codes = ['aaaa-bbbb', 'cccc-dddd'];
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (t: string) => { written.push(t); } } });
    const clicked: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    try {
      const wrapper = mount(RecoveryCodes, { props: { codes }, attachTo: document.body });
      await wrapper.findAll('button').find((b) => b.text() === 'Copy codes')!.trigger('click');
      await flushPromises();
      expect(written[0]).toContain('aaaa-bbbb\ncccc-dddd');
      expect(wrapper.get('[role="status"]').text()).toContain('copied');
      await wrapper.findAll('button').find((b) => b.text() === 'Download codes')!.trigger('click');
      expect(clicked[0]!.download).toBe('xredline-recovery-codes.txt');
      expect(decodeURIComponent(clicked[0]!.href.split(',')[1]!)).toContain('cccc-dddd');
    } finally {
      click.mockRestore();
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });

  it('turns TOTP off with the password and a code: 6 digits go as totp_code, xxxx-xxxx as recovery_code', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', json(200, { username: 'alice', totp_enabled: true, created_at: '' }))
      .on('POST /api/v1/auth/totp/disable', envelope(401, 'TOTP_INVALID', 'wrong or already used TOTP code'),
        json(200, { success: true }));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const { wrapper } = await mountApp(client, '/totp');
    expect(wrapper.text()).toContain('Two-step sign-in is on');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#disable_password-error').text()).toContain('password');
    expect(server.calls('POST /api/v1/auth/totp/disable')).toHaveLength(0);

    await wrapper.get('#disable_password').setValue('pw');
    await wrapper.get('#disable_code').setValue('123456');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('#disable_code-error').text()).toContain('not correct');
    await wrapper.get('#disable_code').setValue('AB12-CD34');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/totp/disable').map((s) => s.body)).toEqual([
      { password: 'pw', totp_code: '123456' }, { password: 'pw', recovery_code: 'ab12-cd34' }]);
    expect(wrapper.get('.notice-success').text()).toContain('Two-step sign-in is off');
    expect(wrapper.findAll('main button').some((b) => b.text() === 'Generate a secret')).toBe(true);
  });
});

describe('Navigation', () => {
  it('shows sign-in links when signed out and account links when signed in; unknown paths get a not-found page', async () => {
    const server = fakeServer().on('GET /healthz/ready', json(200, { status: 'UP', checks: [] }));
    const client = clientFor(server);
    const { wrapper, router } = await mountApp(client, '/');
    const nav = () => wrapper.get('nav').text();
    expect(nav()).toContain('Sign in');
    expect(nav()).not.toContain('Your account');
    client.session.save(tokens(1));
    await flushPromises();
    expect(nav()).toContain('Your account');
    expect(wrapper.get('nav a[aria-current="page"]').text()).toBe('Home');
    await router.push('/no/such/page');
    await flushPromises();
    expect(wrapper.get('h1').text()).toBe('Page not found');
    expect(document.title).toBe('Page not found · xredline');
  });
});
