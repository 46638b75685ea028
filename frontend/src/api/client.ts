import { ApiError, CLIENT_REASONS, isEnvelope } from './errors';
import { SessionStore } from './session';
import type {
  ApiPath, Captcha, ChangePasswordRequest, FeatureAnswers, ForgotPasswordRequest, Greeting, HealthCheck, LoginRequest,
  Me, Message, Readiness, RegisterRequest, Registered, ResetPasswordRequest, SessionList, Success, TokenPair,
  TotpDisableRequest, TotpEnabled, TotpSetup,
} from './types';

export type * from './types';

type Method = 'GET' | 'POST' | 'DELETE';

/** A documented path, filled in: `{name}` becomes a value, a query string may follow. */
type Fill<P extends string> = P extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Fill<Tail>}` : P;
type Path = Fill<ApiPath> | `${Fill<ApiPath>}?${string}`;

interface Call {
  body?: unknown;
  auth?: boolean;
}

/** Reasons after which the stored session is certainly dead. */
const DEAD_SESSION = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REUSED', 'INVALID_TOKEN_FORMAT',
  'REFRESH_TOKEN_REQUIRED']);

/**
 * The one way the browser talks to xredline: same-origin JSON over fetch, errors as {@link ApiError}
 * built from the contract envelope, Bearer tokens from the {@link SessionStore}, and one refresh
 * (`POST /api/v1/auth/refresh`) when a call fails with 401 TOKEN_EXPIRED, then the call once more.
 */
export class ApiClient {
  private refreshing: Promise<void> | null = null;

  constructor(readonly session: SessionStore, private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {
  }

  greet(name: string): Promise<Greeting> {
    return this.call('GET', `/helloworld/${encodeURIComponent(name)}`);
  }

  /** Readiness answers 503 with the same body when DOWN: that is a result here, not an error. */
  async readiness(): Promise<Readiness> {
    const response = await this.send('GET', '/healthz/ready', undefined, {});
    const body = await readJson(response);
    if ((response.status === 200 || response.status === 503) && isHealth(body)) {
      return { up: response.status === 200 && body.status === 'UP', status: body.status, checks: body.checks ?? [] };
    }
    throw toError(response, body);
  }

  captcha(): Promise<Captcha> {
    return this.call('GET', '/api/v1/auth/captcha?captcha_type=image');
  }

  register(request: RegisterRequest): Promise<Registered> {
    return this.call('POST', '/api/v1/auth/register', { body: request });
  }

  async login(request: LoginRequest): Promise<TokenPair> {
    const tokens = await this.call<TokenPair>('POST', '/api/v1/auth/login', { body: request });
    this.session.save(tokens);
    return tokens;
  }

  me(): Promise<Me> {
    return this.call('GET', '/api/v1/auth/me', { auth: true });
  }

  /** The local session ends whatever the server says: a failed logout must not keep the user signed in. */
  async logout(allSessions = false): Promise<void> {
    try {
      await this.call('POST', '/api/v1/auth/logout', { auth: true, body: allSessions ? { all_sessions: true } : {} });
    } finally {
      this.session.clear();
    }
  }

  /** The feature flags as they apply to the signed-in account (`GET /api/v1/features`). */
  features(): Promise<FeatureAnswers> {
    return this.call('GET', '/api/v1/features', { auth: true });
  }

  /** Starting set-up needs the current password (fresh proof, CONTRACT §10). */
  totpSetup(password: string): Promise<TotpSetup> {
    return this.call('POST', '/api/v1/auth/totp/setup', { auth: true, body: { password } });
  }

  /** Answers the 10 recovery codes: the only time the server ever shows them. */
  totpEnable(code: string): Promise<TotpEnabled> {
    return this.call('POST', '/api/v1/auth/totp/enable', { auth: true, body: { totp_code: code } });
  }

  totpDisable(request: TotpDisableRequest): Promise<Success> {
    return this.call('POST', '/api/v1/auth/totp/disable', { auth: true, body: request });
  }

  /** Every other session of the account ends; this one stays signed in. */
  changePassword(request: ChangePasswordRequest): Promise<Success> {
    return this.call('POST', '/api/v1/auth/password', { auth: true, body: request });
  }

  /** 202 with the same message whether or not an account has this address. */
  forgotPassword(request: ForgotPasswordRequest): Promise<Message> {
    return this.call('POST', '/api/v1/auth/password/forgot', { body: request });
  }

  /** Every session of the account ends, this browser's too if it had one. */
  async resetPassword(request: ResetPasswordRequest): Promise<Success> {
    const result = await this.call<Success>('POST', '/api/v1/auth/password/reset', { body: request });
    this.session.clear();
    return result;
  }

  /** Sends a code to the account's own email (the full address: the server only shows it masked). */
  sendEmailCode(email: string): Promise<Captcha> {
    return this.call('GET', `/api/v1/auth/captcha?captcha_type=email&target=${encodeURIComponent(email)}`);
  }

  verifyEmail(code: string): Promise<Success> {
    return this.call('POST', '/api/v1/auth/email/verify', { auth: true, body: { code } });
  }

  sessions(): Promise<SessionList> {
    return this.call('GET', '/api/v1/auth/sessions', { auth: true });
  }

  /** Revoking the current session signs this browser out too. */
  async revokeSession(sessionId: string, current = false): Promise<Success> {
    const result = await this.call<Success>('DELETE', `/api/v1/auth/sessions/${encodeURIComponent(sessionId)}`,
      { auth: true });
    if (current) {
      this.session.clear();
    }
    return result;
  }

  private async call<T>(method: Method, path: Path, call: Call = {}, retried = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (call.auth) {
      const current = this.session.value;
      if (!current) {
        throw new ApiError(401, CLIENT_REASONS.NOT_SIGNED_IN, 'not signed in');
      }
      headers.Authorization = `Bearer ${current.accessToken}`;
    }
    const response = await this.send(method, path, call.body, headers);
    const body = await readJson(response);
    if (response.ok) {
      return body as T;
    }
    const error = toError(response, body);
    if (call.auth && error.status === 401) {
      if (error.reason === 'TOKEN_EXPIRED' && !retried && this.session.value) {
        await this.refreshOnce();
        return this.call<T>(method, path, call, true);
      }
      if (DEAD_SESSION.has(error.reason)) {
        this.session.clear();
      }
    }
    throw error;
  }

  /** Concurrent calls that all hit an expired token share one refresh: refresh tokens work once. */
  private refreshOnce(): Promise<void> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<void> {
    const current = this.session.value;
    if (!current) {
      throw new ApiError(401, CLIENT_REASONS.NOT_SIGNED_IN, 'not signed in');
    }
    try {
      const tokens = await this.call<TokenPair>('POST', '/api/v1/auth/refresh', {
        body: { refresh_token: current.refreshToken },
      });
      this.session.save(tokens);
    } catch (error) {
      this.session.clear();
      throw error;
    }
  }

  private async send(method: Method, path: Path, body: unknown, headers: Record<string, string>): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: { Accept: 'application/json', ...headers },
      credentials: 'same-origin',
      cache: 'no-store',
    };
    if (body !== undefined) {
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      return await this.fetchFn(path, init);
    } catch (cause) {
      throw new ApiError(0, CLIENT_REASONS.NETWORK, cause instanceof Error ? cause.message : 'network error');
    }
  }
}

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) {
    return null;
  }
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function toError(response: Response, body: unknown): ApiError {
  const headerId = response.headers.get('x-request-id');
  const retryAfter = Number(response.headers.get('retry-after'));
  if (isEnvelope(body)) {
    const error = ApiError.fromEnvelope(body, headerId);
    if (response.status === 429 && error.metadata.retry_after_seconds === undefined && Number.isFinite(retryAfter)) {
      error.metadata.retry_after_seconds = retryAfter;
    }
    return error;
  }
  // a proxy or load balancer answered, not xredline: keep what can be known
  const reason = response.status === 503 || response.status === 502 || response.status === 504
    ? 'SERVICE_UNAVAILABLE'
    : response.status === 429 ? 'RATE_LIMITED' : CLIENT_REASONS.UNEXPECTED;
  const metadata = response.status === 429 && response.headers.has('retry-after') && Number.isFinite(retryAfter)
    ? { retry_after_seconds: retryAfter } : {};
  return new ApiError(response.status, reason, `HTTP ${response.status} without an error body`, metadata, headerId);
}

function isHealth(body: unknown): body is { status: Readiness['status']; checks?: HealthCheck[] } {
  return typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'string';
}
