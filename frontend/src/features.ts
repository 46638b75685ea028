import { ref, watch } from 'vue';
import type { ApiClient } from './api';

/**
 * The feature flags as the server applies them to the signed-in account (`GET /api/v1/features`),
 * reloaded whenever the session changes. A flag the server did not name — or any answer while
 * signed out or when the call fails — counts as its fallback (on), so the pages show what the
 * server would allow and the server still has the last word.
 */
export function useFeatures(client: ApiClient) {
  const flags = ref<Record<string, boolean>>({});

  async function refresh(): Promise<void> {
    if (!client.session.signedIn.value) {
      flags.value = {};
      return;
    }
    try {
      flags.value = (await client.features()).features;
    } catch {
      flags.value = {};
    }
  }

  watch(client.session.signedIn, () => void refresh(), { immediate: true });

  return {
    flags,
    refresh,
    isOn: (name: string, fallback = true): boolean => flags.value[name] ?? fallback,
  };
}
