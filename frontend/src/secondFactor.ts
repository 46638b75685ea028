/**
 * What a person typed in a "code from your app, or a recovery code" field, as the request field the
 * API expects: 6 digits are a TOTP code, "xxxx-xxxx" (dash optional, any case) a recovery code.
 * Anything else goes as totp_code so the server's answer (TOTP_INVALID) is what the person sees.
 */
export type SecondFactor = { totp_code: string } | { recovery_code: string } | Record<string, never>;

const TOTP = /^\d{6}$/;
const RECOVERY = /^[a-z0-9]{4}-?[a-z0-9]{4}$/;

export function secondFactor(typed: string): SecondFactor {
  const value = typed.replace(/\s/g, '').toLowerCase();
  if (!value) {
    return {};
  }
  if (TOTP.test(value)) {
    return { totp_code: value };
  }
  if (RECOVERY.test(value)) {
    return { recovery_code: value };
  }
  return { totp_code: value };
}

export function isSecondFactor(typed: string): boolean {
  const value = typed.replace(/\s/g, '').toLowerCase();
  return TOTP.test(value) || RECOVERY.test(value);
}
