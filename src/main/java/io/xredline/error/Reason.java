package io.xredline.error;

/** The stable machine keys of CONTRACT §3, each with its HTTP status. gRPC codes derive from the status. */
public enum Reason {
  BAD_REQUEST(400), VALIDATION_FAILED(400), INVALID_USERNAME(400), PASSWORD_WEAK(400), INVALID_EMAIL(400),
  INVALID_PHONE(400), CAPTCHA_TYPE_UNSUPPORTED(400), CAPTCHA_TARGET_REQUIRED(400), CAPTCHA_DISABLED(400),
  CAPTCHA_ID_REQUIRED(400), CAPTCHA_CODE_REQUIRED(400), CAPTCHA_REQUIRED(400), CAPTCHA_INVALID(400),
  CAPTCHA_EXPIRED(400), REFRESH_TOKEN_REQUIRED(400),
  USER_EXISTS(409), EMAIL_EXISTS(409), PHONE_EXISTS(409),
  INVALID_CREDENTIALS(401), TOTP_REQUIRED(401), TOTP_INVALID(401), TOKEN_MISSING(401), INVALID_TOKEN_FORMAT(401),
  TOKEN_INVALID(401), TOKEN_EXPIRED(401), TOKEN_REUSED(401),
  ACCOUNT_LOCKED(403), FORBIDDEN(403), REGISTRATION_CLOSED(403), PLUGIN_REJECTED(403),
  NOT_FOUND(404), METHOD_NOT_ALLOWED(405), PAYLOAD_TOO_LARGE(413), UNSUPPORTED_MEDIA_TYPE(415),
  RATE_LIMITED(429), INTERNAL(500), SERVICE_UNAVAILABLE(503);

  private final int status;

  Reason(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** The reason a bare HTTP status stands for when nothing more specific is known. */
  public static Reason forStatus(int status) {
    return switch (status) {
      case 400 -> BAD_REQUEST;
      case 401 -> TOKEN_INVALID;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 429 -> RATE_LIMITED;
      case 503 -> SERVICE_UNAVAILABLE;
      default -> status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL;
    };
  }
}
