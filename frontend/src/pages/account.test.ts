import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { clientFor, envelope, fakeServer, json, tokens } from '../testing/fakeServer';
import { mountApp } from '../testing/mountPage';

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  document.body.innerHTML = '';
});

const ME = {
  user_id: 7, username: 'alice', email: 'al***@example.com', phone: null, totp_enabled: false,
  created_at: '2025-01-01T00:00:00Z', email_verified: false, phone_verified: false,
};

function signedInClient(server: ReturnType<typeof fakeServer>) {
  const client = clientFor(server);
  client.session.save(tokens(1));
  return client;
}

describe('Account page links', () => {
  it('links to change password, sessions, two-step sign-in and email verification', async () => {
    const server = fakeServer().on('GET /api/v1/auth/me', json(200, ME));
    const { wrapper } = await mountApp(signedInClient(server), '/me');
    const links = wrapper.findAll('.account-links a').map((a) => a.attributes('href'));
    expect(links).toEqual(['/password', '/sessions', '/totp', '/verify-email']);
    expect(wrapper.text()).toContain('not verified yet');
  });
});

describe('Change password page', () => {
  it('checks locally first, then puts PASSWORD_INCORRECT on the current password and PASSWORD_WEAK on the new one', async () => {
    const server = fakeServer().on('POST /api/v1/auth/password',
      envelope(400, 'PASSWORD_INCORRECT', 'current password is incorrect'),
      envelope(400, 'PASSWORD_WEAK', 'password too weak'),
      json(200, { success: true }));
    const { wrapper } = await mountApp(signedInClient(server), '/password');
    const submit = async () => {
      await wrapper.get('form').trigger('submit');
      await flushPromises();
    };
    await submit();
    expect(wrapper.get('#current_password-error').text()).toBe('Enter your current password.');
    await wrapper.get('#current_password').setValue('old');
    await wrapper.get('#new_password').setValue('Amber-Lantern-8462');
    await wrapper.get('#confirm_password').setValue('Amber-Lantern-846');
    await submit();
    expect(wrapper.get('#confirm_password-error').text()).toContain('not the same');
    expect(server.calls('POST /api/v1/auth/password')).toHaveLength(0);

    await wrapper.get('#confirm_password').setValue('Amber-Lantern-8462');
    await submit();
    expect(wrapper.get('#current_password-error').text()).toContain('current password is not correct');
    expect(document.activeElement?.id).toBe('current_password');
    expect((wrapper.get('#current_password').element as HTMLInputElement).value).toBe('');

    await wrapper.get('#current_password').setValue('old');
    await submit();
    expect(wrapper.get('#new_password-error').text()).toContain('stronger password');
    expect(document.activeElement?.id).toBe('new_password');

    await submit();
    expect(server.calls('POST /api/v1/auth/password').map((s) => s.body)).toEqual(Array(3).fill({
      current_password: 'old', new_password: 'Amber-Lantern-8462',
    }));
    expect(server.calls('POST /api/v1/auth/password')[0]!.headers.Authorization).toBe('Bearer access-1');
    expect(wrapper.get('.notice-success').text()).toContain('Your password is changed');
  });

  it('says when the account is locked after wrong current passwords', async () => {
    const server = fakeServer().on('POST /api/v1/auth/password',
      envelope(403, 'ACCOUNT_LOCKED', 'locked', { unlock_time: '2030-01-01T12:30:00Z' }));
    const { wrapper } = await mountApp(signedInClient(server), '/password');
    await wrapper.get('#current_password').setValue('old');
    await wrapper.get('#new_password').setValue('Amber-Lantern-8462');
    await wrapper.get('#confirm_password').setValue('Amber-Lantern-8462');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('Try again after');
  });
});

describe('Sessions page', () => {
  const sessions = [
    { session_id: 's-1', created_at: '2025-01-01T12:00:00Z', last_used_at: '2025-01-01T12:14:00Z', ip: '203.0.113.7', user_agent: 'Firefox', current: true },
    { session_id: 's/2', created_at: '2025-01-02T12:00:00Z', last_used_at: '2025-01-02T12:00:00Z', ip: null, user_agent: null, current: false },
  ];

  it('lists created, last used, IP, user agent and the current one; ends another and reloads the list', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/sessions', json(200, { sessions }), json(200, { sessions: [sessions[0]] }))
      .on('DELETE /api/v1/auth/sessions/s%2F2', json(200, { success: true }));
    const client = signedInClient(server);
    const { wrapper } = await mountApp(client, '/sessions');
    const rows = () => wrapper.findAll('[data-testid="sessions"] tbody tr');
    expect(rows()).toHaveLength(2);
    expect(rows()[0]!.text()).toContain('Firefox');
    expect(rows()[0]!.text()).toContain('This device');
    expect(rows()[0]!.text()).toContain('203.0.113.7');
    expect(rows()[0]!.get('time').attributes('datetime')).toBe('2025-01-01T12:00:00Z');
    expect(rows()[1]!.text()).toContain('Unknown browser');
    expect(rows()[1]!.get('button').attributes('aria-label')).toMatch(/^End session from an unknown address/);

    await rows()[1]!.get('button').trigger('click');
    await flushPromises();
    expect(server.calls('DELETE /api/v1/auth/sessions/s%2F2')[0]!.headers.Authorization).toBe('Bearer access-1');
    expect(wrapper.get('.notice-success').text()).toContain('is ended');
    expect(rows()).toHaveLength(1);
    expect(client.session.signedIn.value).toBe(true);
  });

  it('"Sign out here" ends the current session and this browser forgets it', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/sessions', json(200, { sessions }))
      .on('DELETE /api/v1/auth/sessions/s-1', json(200, { success: true }));
    const client = signedInClient(server);
    const { wrapper, router } = await mountApp(client, '/sessions');
    await wrapper.findAll('button').find((b) => b.text() === 'Sign out here')!.trigger('click');
    await flushPromises();
    expect(client.session.signedIn.value).toBe(false);
    expect(router.currentRoute.value.path).toBe('/sign-in');
    expect(wrapper.get('.notice-info').text()).toContain('signed out');
  });

  it('shows NOT_FOUND for a session that is already gone', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/sessions', json(200, { sessions }))
      .on('DELETE /api/v1/auth/sessions/s%2F2', envelope(404, 'NOT_FOUND', 'no such session'));
    const { wrapper } = await mountApp(signedInClient(server), '/sessions');
    await wrapper.findAll('[data-testid="sessions"] tbody tr')[1]!.get('button').trigger('click');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').attributes('data-reason')).toBe('NOT_FOUND');
  });
});

describe('Forgot and reset password pages', () => {
  it('forgot: sends target + captcha, shows the 202 message and links to reset with the target', async () => {
    const server = fakeServer().on('POST /api/v1/auth/password/forgot',
      envelope(400, 'CAPTCHA_INVALID', 'wrong captcha code'),
      json(202, { message: 'If an account has this address, a code is on its way.' }));
    const { wrapper, router } = await mountApp(clientFor(server), '/forgot-password');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#target-error').text()).toContain('email address or phone');
    expect(server.calls('POST /api/v1/auth/password/forgot')).toHaveLength(0);

    await wrapper.get('#target').setValue(' alice@example.com ');
    await wrapper.get('#captcha_code').setValue('zzzzzz');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('#captcha_code-error').text()).toContain('did not match');
    expect(server.calls('GET /api/v1/auth/captcha')).toHaveLength(2);

    await wrapper.get('#captcha_code').setValue('123456');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/password/forgot')[1]!.body).toEqual({
      target: 'alice@example.com', captcha_id: 'cap-2', captcha_code: '123456',
    });
    expect(wrapper.get('[data-testid="forgot-accepted"]').text()).toBe('If an account has this address, a code is on its way.');
    await wrapper.findAll('a').find((a) => a.text() === 'Enter the code and a new password')!.trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/reset-password');
    expect(router.currentRoute.value.query.target).toBe('alice@example.com');
    expect((wrapper.get('#target').element as HTMLInputElement).value).toBe('alice@example.com');
  });

  it('reset: CODE_INVALID on the code, CODE_EXPIRED offers a new code, success signs out and goes to sign-in', async () => {
    const server = fakeServer().on('POST /api/v1/auth/password/reset',
      envelope(400, 'CODE_INVALID', 'wrong code'),
      envelope(400, 'CODE_EXPIRED', 'expired'),
      json(200, { success: true }));
    const client = signedInClient(server);
    const { wrapper, router } = await mountApp(client, '/reset-password?target=%2B4915112345678');
    await wrapper.get('#code').setValue('000 000');
    await wrapper.get('#new_password').setValue('Amber-Lantern-8462');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('#code-error').text()).toContain('code is not correct');
    expect(document.activeElement?.id).toBe('code');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('#code-error').text()).toContain('Ask for a new code');
    expect(wrapper.find('a[href="/forgot-password"]').exists()).toBe(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/password/reset')[0]!.body).toEqual({
      target: '+4915112345678', code: '000000', new_password: 'Amber-Lantern-8462',
    });
    expect(client.session.signedIn.value).toBe(false);
    expect(router.currentRoute.value.path).toBe('/sign-in');
    expect(wrapper.get('.notice-info').text()).toContain('Your password is reset');
  });
});

describe('Verify email page', () => {
  it('sends a code to the own address, shows RATE_LIMITED with the wait, then verifies', async () => {
    const server = fakeServer()
      .on('GET /api/v1/auth/me', json(200, ME))
      .on('GET /api/v1/auth/captcha',
        json(200, { captcha_id: 'c-1', image_data: '', expires_in: 300 }),
        envelope(429, 'RATE_LIMITED', 'too many requests (code_target)', { policy: 'code_target', retry_after_seconds: 42 }))
      .on('POST /api/v1/auth/email/verify', envelope(400, 'CODE_EXPIRED', 'expired'), json(200, { success: true }));
    const { wrapper } = await mountApp(signedInClient(server), '/verify-email');
    expect(wrapper.get('#email-hint').text()).toContain('al***@example.com');
    await wrapper.get('#email').setValue('alice@example.com');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.calls('GET /api/v1/auth/captcha')[0]!.path)
      .toBe('/api/v1/auth/captcha?captcha_type=email&target=alice%40example.com');
    expect(wrapper.get('[data-testid="email-code-sent"]').text()).toContain('works for 5 minutes');

    await wrapper.findAll('form')[0]!.trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('Too many requests. Try again in 42 seconds.');

    const verifyForm = () => wrapper.findAll('form')[1]!;
    await wrapper.get('#code').setValue('123456');
    await verifyForm().trigger('submit');
    await flushPromises();
    expect(wrapper.get('#code-error').text()).toContain('expired');
    await verifyForm().trigger('submit');
    await flushPromises();
    expect(server.calls('POST /api/v1/auth/email/verify').map((s) => s.body)).toEqual([{ code: '123456' }, { code: '123456' }]);
    expect(wrapper.get('[data-testid="email-verified"]').text()).toContain('verified');
  });

  it('says so when the email is already verified', async () => {
    const server = fakeServer().on('GET /api/v1/auth/me', json(200, { ...ME, email_verified: true }));
    const { wrapper } = await mountApp(signedInClient(server), '/verify-email');
    expect(wrapper.find('[data-testid="email-verified"]').exists()).toBe(true);
    expect(wrapper.find('#email').exists()).toBe(false);
  });
});
