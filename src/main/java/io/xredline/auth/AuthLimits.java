package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.ratelimit.RateLimiter;

/**
 * CONTRACT §9's named policies, applied by the capability so REST and gRPC share them. Each is
 * decided after the field checks and before anything costly (captcha, lookup, hash, delivery).
 * Names and targets reach Redis only as digests; a origin without an address (the operator CLI)
 * passes the per-address policies.
 */
final class AuthLimits {
  static final String LOGIN_IP = "login_ip";
  static final String LOGIN_ACCOUNT = "login_account";
  static final String REGISTER_IP = "register_ip";
  static final String CAPTCHA_IP = "captcha_ip";
  static final String CODE_TARGET = "code_target";
  static final String CODE_TARGET_DAY = "code_target_day";
  static final String PASSWORD_RESET = "password_reset";

  private final RateLimiter limiter;

  AuthLimits(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /**
   * {@code login_account} counts per login name as typed (normalised), not per account: counting
   * the account would let its username, email and phone share a budget, and a 429 on one would
   * reveal that they belong together. The account-wide cap of {@code LoginAttempts} covers the rest.
   */
  Future<Void> login(AuthApi.Origin origin, String typedName) {
    return perAddress(origin, LOGIN_IP).compose(v -> limiter.enforce(RateLimiter.account(typedName), LOGIN_ACCOUNT))
        .mapEmpty();
  }

  Future<Void> register(AuthApi.Origin origin) {
    return perAddress(origin, REGISTER_IP);
  }

  Future<Void> captcha(AuthApi.Origin origin) {
    return perAddress(origin, CAPTCHA_IP);
  }

  /** Both sends-per-target policies in one decision: a refused send takes nothing from either. */
  Future<Void> codeSend(String targetKey) {
    return limiter.enforce(RateLimiter.target(targetKey), CODE_TARGET, CODE_TARGET_DAY).mapEmpty();
  }

  /** {@code POST /api/v1/auth/password/forgot}: per target, before anything is looked up or sent. */
  Future<Void> passwordReset(String targetKey) {
    return limiter.enforce(RateLimiter.target(targetKey), PASSWORD_RESET).mapEmpty();
  }

  /**
   * {@code POST /api/v1/auth/password/reset}: the same policy with a budget of its own per target,
   * so a mistyped code never costs the owner a send, and guesses at a code stay bounded.
   */
  Future<Void> passwordResetAttempt(String targetKey) {
    return limiter.enforce(RateLimiter.target("reset:" + targetKey), PASSWORD_RESET).mapEmpty();
  }

  private Future<Void> perAddress(AuthApi.Origin origin, String policy) {
    if (origin.clientIp() == null) {
      return Future.succeededFuture();
    }
    return limiter.enforce(RateLimiter.ip(origin.clientIp()), policy).mapEmpty();
  }
}
