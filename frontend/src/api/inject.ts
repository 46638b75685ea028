import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from './client';
import { api } from './index';

export const API_KEY: InjectionKey<ApiClient> = Symbol('xredline-api');

/** Components ask for the client here; tests provide one built on a stubbed fetch. */
export function useApi(): ApiClient {
  return inject(API_KEY, api);
}
