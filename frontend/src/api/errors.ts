/**
 * The contract's error envelope (CONTRACT §3) as a typed error, and the one place that turns a
 * `reason` into words for people. `message` from the server is kept as detail and `request_id`
 * stays attached so the page can show it for support.
 */
import type { ErrorEnvelope, Reason } from './types';

export type { ErrorEnvelope };
/** Reasons the client itself produces when there is no envelope to read. */
export const CLIENT_REASONS = {
  NETWORK: 'NETWORK_ERROR',
  UNEXPECTED: 'UNEXPECTED_RESPONSE',
  NOT_SIGNED_IN: 'TOKEN_MISSING',
} as const;

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly metadata: Record<string, unknown>;
  readonly requestId: string | null;

  constructor(status: number, reason: string, message: string, metadata: Record<string, unknown> = {},
              requestId: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.metadata = metadata;
    this.requestId = requestId;
  }

  static fromEnvelope(envelope: ErrorEnvelope, headerRequestId: string | null): ApiError {
    return new ApiError(envelope.code, envelope.reason, envelope.message, envelope.metadata ?? {},
      envelope.request_id || headerRequestId);
  }

  /** What the user should read first: the reason's wording, else the server's message. */
  get userMessage(): string {
    return describe(this);
  }

  /** The form field this error is about, when there is one. */
  get field(): string | null {
    return fieldFor(this);
  }
}

export function isEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return typeof v.code === 'number' && typeof v.reason === 'string' && typeof v.message === 'string';
}

/** Words for every reason the API documents: the compiler refuses a reason left without them. */
const MESSAGES: Record<Reason, string> & Record<string, string | undefined> = {
  BAD_REQUEST: 'The request was not understood. Reload the page and try again.',
  VALIDATION_FAILED: 'One of the fields is not valid.',
  INVALID_USERNAME: 'Usernames start with a letter and use 3–32 letters, digits or underscores.',
  PASSWORD_WEAK: 'Choose a stronger password: 8–128 characters, not a common password and not your username.',
  INVALID_EMAIL: 'Enter a valid email address, like name@example.com.',
  INVALID_PHONE: 'Enter the phone number in international form (+4915112345678) or as an 11-digit mobile number.',
  CAPTCHA_TYPE_UNSUPPORTED: 'This kind of captcha is not supported.',
  CAPTCHA_TARGET_REQUIRED: 'A phone number or email address is needed to send the code.',
  CAPTCHA_DISABLED: 'Captchas are turned off on this server.',
  CAPTCHA_ID_REQUIRED: 'The captcha image is missing. Load a new one and try again.',
  CAPTCHA_CODE_REQUIRED: 'Type the characters shown in the captcha image.',
  CAPTCHA_REQUIRED: 'Type the characters shown in the captcha image.',
  CAPTCHA_INVALID: 'The captcha characters did not match. A new image has been loaded; try again.',
  CAPTCHA_EXPIRED: 'The captcha image expired. A new one has been loaded; try again.',
  USER_EXISTS: 'That username is already taken. Choose another one.',
  EMAIL_EXISTS: 'An account with that email address already exists.',
  PHONE_EXISTS: 'An account with that phone number already exists.',
  INVALID_CREDENTIALS: 'The username or password is not correct.',
  TOTP_REQUIRED: 'This account uses two-step sign-in. Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  TOTP_INVALID: 'That code is not correct, has expired or was already used. Enter the current code from your app, or an unused recovery code.',
  ACCOUNT_LOCKED: 'This account is locked after too many failed sign-in attempts.',
  TOKEN_MISSING: 'You are not signed in.',
  INVALID_TOKEN_FORMAT: 'Your session is not valid. Sign in again.',
  TOKEN_INVALID: 'Your session is not valid any more. Sign in again.',
  TOKEN_EXPIRED: 'Your session has expired. Sign in again.',
  TOKEN_REUSED: 'Your session was ended for safety because it was used twice. Sign in again.',
  REFRESH_TOKEN_REQUIRED: 'Your session cannot be renewed. Sign in again.',
  REAUTHENTICATION_REQUIRED: 'This change needs your current password. Enter it and try again.',
  PASSWORD_INCORRECT: 'Your current password is not correct. Too many wrong tries lock the account for a while.',
  CODE_INVALID: 'That code is not correct. Check the code in the message we sent and try again.',
  CODE_EXPIRED: 'That code has expired or was already used. Ask for a new code.',
  ACCOUNT_DISABLED: 'This account is disabled. Contact an administrator.',
  FORBIDDEN: 'You are not allowed to do that.',
  REGISTRATION_CLOSED: 'New accounts cannot be created at the moment.',
  PLUGIN_REJECTED: 'This was refused by a policy of this server.',
  NOT_FOUND: 'That was not found.',
  METHOD_NOT_ALLOWED: 'The server does not allow that action here.',
  PAYLOAD_TOO_LARGE: 'What you sent is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request had the wrong format.',
  RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  INTERNAL: 'Something went wrong on the server. Try again; if it keeps happening, contact support with the request ID.',
  SERVICE_UNAVAILABLE: 'The service is not available right now. Try again shortly.',
  [CLIENT_REASONS.NETWORK]: 'The server could not be reached. Check your connection and try again.',
  [CLIENT_REASONS.UNEXPECTED]: 'The server gave an unexpected answer. Try again shortly.',
};

/** Which form field a reason points at; VALIDATION_FAILED names it in metadata.field. */
const FIELDS: Record<string, string> = {
  INVALID_USERNAME: 'username',
  USER_EXISTS: 'username',
  PASSWORD_WEAK: 'password',
  INVALID_EMAIL: 'email',
  EMAIL_EXISTS: 'email',
  INVALID_PHONE: 'phone',
  PHONE_EXISTS: 'phone',
  CAPTCHA_CODE_REQUIRED: 'captcha_code',
  CAPTCHA_REQUIRED: 'captcha_code',
  CAPTCHA_INVALID: 'captcha_code',
  CAPTCHA_EXPIRED: 'captcha_code',
  TOTP_REQUIRED: 'totp_code',
  TOTP_INVALID: 'totp_code',
  PASSWORD_INCORRECT: 'current_password',
  REAUTHENTICATION_REQUIRED: 'current_password',
  CODE_INVALID: 'code',
  CODE_EXPIRED: 'code',
};

export function describe(error: ApiError): string {
  const base = MESSAGES[error.reason];
  if (!base) {
    return error.message || `The request failed (HTTP ${error.status}).`;
  }
  if (error.reason === 'VALIDATION_FAILED' && error.message) {
    // the server names the field and the rule ("name must be at most 100 characters"): say exactly that
    return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  }
  if (error.reason === 'ACCOUNT_LOCKED') {
    const until = formatTime(error.metadata.unlock_time);
    return until ? `${base} Try again after ${until}.` : base;
  }
  if (error.reason === 'PLUGIN_REJECTED' && error.message) {
    // the policy's own words (the server has made them one plain line)
    return `${base} ${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}`;
  }
  if (error.reason === 'RATE_LIMITED') {
    const seconds = Number(error.metadata.retry_after_seconds);
    return Number.isFinite(seconds) && seconds > 0 ? `Too many requests. Try again in ${waitFor(seconds)}.` : base;
  }
  return base;
}

export function fieldFor(error: ApiError): string | null {
  if (error.reason === 'VALIDATION_FAILED' && typeof error.metadata.field === 'string') {
    return error.metadata.field;
  }
  return FIELDS[error.reason] ?? null;
}

/** "42 seconds", "3 minutes", "2 hours": a wait as people say it. */
export function waitFor(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 90) {
    return s === 1 ? '1 second' : `${s} seconds`;
  }
  const minutes = Math.ceil(s / 60);
  if (minutes < 90) {
    return `${minutes} minutes`;
  }
  return `${Math.ceil(minutes / 60)} hours`;
}

/** unlock_time may arrive as epoch seconds, epoch millis or an ISO string. */
function formatTime(value: unknown): string | null {
  let date: Date | null = null;
  if (typeof value === 'number') {
    date = new Date(value < 1e12 ? value * 1000 : value);
  } else if (typeof value === 'string' && value) {
    date = new Date(value);
  }
  return date && !Number.isNaN(date.getTime()) ? date.toLocaleString() : null;
}
