import { flushPromises, mount } from '@vue/test-utils';
import { createMemoryHistory } from 'vue-router';
import App from '../App.vue';
import type { ApiClient } from '../api';
import { API_KEY } from '../api/inject';
import { createAppRouter } from '../router';

/** The whole app on a memory history, talking to the given client; starts at {@code path}. */
export async function mountApp(client: ApiClient, path: string) {
  const router = createAppRouter(client.session, createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [API_KEY as symbol]: client } },
  });
  await flushPromises();
  return { wrapper, router };
}
