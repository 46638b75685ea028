import { ApiClient } from './client';
import { SessionStore } from './session';

export * from './client';
export * from './errors';
export * from './session';

function browserStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage blocked by browser settings
  }
}

/** The app's single client and session; tests build their own with a stubbed fetch. */
export const session = new SessionStore(browserStorage());
export const api = new ApiClient(session);
