import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { clientFor, envelope, fakeServer, json, tokens } from './testing/fakeServer';
import { mountApp } from './testing/mountPage';

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  document.body.innerHTML = '';
});

describe('Feature flags in the pages', () => {
  it('asks GET /api/v1/features with the Bearer token and hides two-step sign-in when totp is off', async () => {
    const server = fakeServer()
      .on('GET /api/v1/features', json(200, { features: { totp: false } }))
      .on('GET /api/v1/auth/me', json(200, { username: 'alice', totp_enabled: false, created_at: '' }));
    const client = clientFor(server);
    client.session.save(tokens(1));
    const { wrapper } = await mountApp(client, '/totp');

    expect(server.calls('GET /api/v1/features')[0]!.headers.Authorization).toBe('Bearer access-1');
    expect(wrapper.find('nav a[href="/totp"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="totp-off"]').text()).toContain('turned off');
    expect(wrapper.findAll('main button').some((b) => b.text().startsWith('Generate'))).toBe(false);
  });

  it('shows two-step sign-in when the flag is on or unknown (the server has the last word)', async () => {
    for (const reply of [json(200, { features: { totp: true } }), json(200, { features: {} }),
      envelope(503, 'SERVICE_UNAVAILABLE', 'down')]) {
      const server = fakeServer().on('GET /api/v1/features', reply);
      const client = clientFor(server);
      client.session.save(tokens(1));
      const { wrapper } = await mountApp(client, '/totp');
      expect(wrapper.find('nav a[href="/totp"]').exists()).toBe(true);
      expect(wrapper.find('[data-testid="totp-off"]').exists()).toBe(false);
      wrapper.unmount();
    }
  });

  it('does not ask for flags while signed out', async () => {
    const server = fakeServer();
    await mountApp(clientFor(server), '/');
    expect(server.calls('GET /api/v1/features')).toHaveLength(0);
  });

  it('replaces the registration form with a notice on REGISTRATION_CLOSED', async () => {
    const server = fakeServer()
      .on('POST /api/v1/auth/register', envelope(403, 'REGISTRATION_CLOSED', 'registration is closed on this server'));
    const { wrapper } = await mountApp(clientFor(server), '/register');
    await wrapper.get('#username').setValue('alice');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('form').exists()).toBe(false);
    expect(wrapper.get('[data-testid="registration-closed"]').text()).toContain('cannot be created');
  });

  it('shows a plugin veto in the plugin\'s own words', async () => {
    const server = fakeServer().on('POST /api/v1/auth/register',
      envelope(403, 'PLUGIN_REJECTED', 'registration is open to example.com addresses only', { plugin: 'domain-allowlist' }));
    const { wrapper } = await mountApp(clientFor(server), '/register');
    await wrapper.get('#username').setValue('alice');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('Registration is open to example.com addresses only');
    expect(wrapper.find('form').exists()).toBe(true);
  });
});
