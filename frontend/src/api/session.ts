import { computed, ref } from 'vue';
import type { TokenPair } from './types';

export interface Session {
  accessToken: string;
  refreshToken: string;
}

const STORAGE_KEY = 'xredline.session';

/**
 * Tokens live in memory and in sessionStorage: a reload keeps the user signed in, closing the tab
 * forgets them, and other tabs or sites never see them (no cookies, no localStorage).
 */
export class SessionStore {
  private readonly current = ref<Session | null>(null);
  readonly signedIn = computed(() => this.current.value !== null);

  constructor(private readonly storage: Storage | null) {
    this.current.value = this.read();
  }

  get value(): Session | null {
    return this.current.value;
  }

  save(tokens: TokenPair): void {
    const session = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
    this.current.value = session;
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(session));
    } catch {
      // storage full or disabled: memory alone still works until a reload
    }
  }

  clear(): void {
    this.current.value = null;
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // nothing to forget
    }
  }

  private read(): Session | null {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      if (!raw) {
        return null;
      }
      const parsed = JSON.parse(raw) as Partial<Session>;
      return typeof parsed.accessToken === 'string' && typeof parsed.refreshToken === 'string'
        ? { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken }
        : null;
    } catch {
      return null;
    }
  }
}
