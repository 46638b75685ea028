import { vi } from 'vitest';
import { ApiClient, ApiError, SessionStore, type TokenPair } from '../api';

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = Response | ((seen: Seen) => Response | Promise<Response>);

let counter = 0;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': `req-${++counter}`, ...headers },
  });
}

/** The contract error envelope, as the service sends it. */
export function envelope(status: number, reason: string, message: string, metadata: Record<string, unknown> = {}): Response {
  const id = `req-${++counter}`;
  return json(status, { code: status, reason, message, metadata, request_id: id }, { 'x-request-id': id });
}

export const CAPTCHA_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * A stand-in for the service: replies are queued per "METHOD path"; each call takes the next one
 * (the last one repeats). Every request is recorded, so tests assert what the client really sent.
 */
export function fakeServer() {
  const replies = new Map<string, Reply[]>();
  const seen: Seen[] = [];
  let captchas = 0;

  const fetchFn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const path = typeof input === 'string' ? input : input.toString();
    const headers = { ...(init.headers as Record<string, string> | undefined) };
    const request: Seen = {
      method: init.method ?? 'GET',
      path,
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(request);
    const key = `${request.method} ${path.split('?')[0]}`;
    const queue = replies.get(key);
    if (!queue || queue.length === 0) {
      if (key === 'GET /api/v1/auth/captcha') {
        captchas += 1;
        return json(200, { captcha_id: `cap-${captchas}`, image_data: CAPTCHA_PNG, expires_in: 300 });
      }
      return envelope(404, 'NOT_FOUND', `no route for ${key}`);
    }
    const reply = queue.length > 1 ? queue.shift()! : queue[0]!;
    return typeof reply === 'function' ? reply(request) : reply.clone();
  });

  return {
    fetch: fetchFn as unknown as typeof fetch,
    seen,
    on(key: string, ...reply: Reply[]) {
      replies.set(key, reply);
      return this;
    },
    calls(key: string): Seen[] {
      return seen.filter((s) => `${s.method} ${s.path.split('?')[0]}` === key);
    },
  };
}

export function tokens(n: number): TokenPair {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: 'Bearer',
    expires_in: 900,
    refresh_expires_in: 604800,
  };
}

export function clientFor(server: ReturnType<typeof fakeServer>, storage: Storage = sessionStorage): ApiClient {
  return new ApiClient(new SessionStore(storage), server.fetch);
}

/** The ApiError a call fails with; fails the test when the call succeeds or throws something else. */
export async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}
