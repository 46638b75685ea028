import { describe, expect, it } from 'vitest';
import { ApiError, describe as describeError, fieldFor } from './errors';

describe('reason → message mapping', () => {
  it('words every contract reason for people instead of echoing machine text', () => {
    const e = new ApiError(401, 'INVALID_CREDENTIALS', 'invalid credentials');
    expect(describeError(e)).toBe('The username or password is not correct.');
  });

  it('says when a locked account unlocks, from metadata.unlock_time', () => {
    const e = new ApiError(403, 'ACCOUNT_LOCKED', 'locked', { unlock_time: 1_900_000_000 });
    expect(describeError(e)).toContain('Try again after');
    expect(describeError(new ApiError(403, 'ACCOUNT_LOCKED', 'locked'))).not.toContain('Try again after');
  });

  it('uses retry_after_seconds when throttled', () => {
    expect(describeError(new ApiError(429, 'RATE_LIMITED', 'slow down', { retry_after_seconds: 3 })))
      .toBe('Too many requests. Try again in 3 seconds.');
    expect(describeError(new ApiError(429, 'RATE_LIMITED', 'slow down', { retry_after_seconds: 600 })))
      .toBe('Too many requests. Try again in 10 minutes.');
  });

  it('words the account-lifecycle reasons and points them at their fields', () => {
    for (const [reason, words, field] of [
      ['PASSWORD_INCORRECT', 'current password is not correct', 'current_password'],
      ['REAUTHENTICATION_REQUIRED', 'needs your current password', 'current_password'],
      ['CODE_INVALID', 'code is not correct', 'code'],
      ['CODE_EXPIRED', 'expired', 'code'],
      ['ACCOUNT_DISABLED', 'disabled', null],
    ] as const) {
      const e = new ApiError(400, reason, 'machine text');
      expect(describeError(e)).toContain(words);
      expect(fieldFor(e)).toBe(field);
    }
  });

  it("falls back to the server's message for a reason it does not know yet", () => {
    expect(describeError(new ApiError(418, 'TEAPOT', 'I am a teapot'))).toBe('I am a teapot');
  });

  it('points errors at the form field they are about', () => {
    expect(fieldFor(new ApiError(409, 'USER_EXISTS', 'x'))).toBe('username');
    expect(fieldFor(new ApiError(400, 'CAPTCHA_INVALID', 'x'))).toBe('captcha_code');
    expect(fieldFor(new ApiError(401, 'TOTP_REQUIRED', 'x'))).toBe('totp_code');
    expect(fieldFor(new ApiError(400, 'VALIDATION_FAILED', 'x', { field: 'email' }))).toBe('email');
    expect(fieldFor(new ApiError(401, 'INVALID_CREDENTIALS', 'x'))).toBeNull();
  });
});

describe('VALIDATION_FAILED', () => {
  it("uses the server's message, which names the field and the rule", () => {
    expect(describeError(new ApiError(400, 'VALIDATION_FAILED', 'name must be at most 100 characters', { field: 'name' })))
      .toBe('Name must be at most 100 characters');
    expect(describeError(new ApiError(400, 'VALIDATION_FAILED', ''))).toBe('One of the fields is not valid.');
  });
});
