package io.xredline.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * The audit trail and the meters of sign-in: each event is published on
 * {@code xredline.events.auth.<kind>} (persisted by the audit capability), logins are counted by
 * result and lockouts counted ({@code xredline_auth_*}) in the service instance's registry.
 */
final class AuthEvents {
  enum Kind {
    REGISTER("register"), LOGIN_SUCCESS("login_success"), LOGIN_FAILURE("login_failure"), LOCKOUT("lockout"),
    LOGOUT("logout"), TOKEN_REUSE("token_reuse"), TOTP_ENABLED("totp_enabled"), TOTP_DISABLED("totp_disabled"),
    REAUTHENTICATION_FAILURE("reauthentication_failure"), RECOVERY_CODE_USED("recovery_code_used"),
    PASSWORD_CHANGED("password_changed"), PASSWORD_RESET_REQUESTED("password_reset_requested"),
    PASSWORD_RESET("password_reset"), ADDRESS_VERIFIED("address_verified"), SESSION_REVOKED("session_revoked"),
    ACCOUNT_UNLOCKED("account_unlocked"), ACCOUNT_DISABLED("account_disabled"), ACCOUNT_ENABLED("account_enabled"),
    TOTP_RESET("totp_reset");

    final String address;

    Kind(String name) {
      this.address = AuthApi.EVENTS_PREFIX + name;
    }
  }

  static final String LOGINS = "xredline.auth.logins";
  static final String LOCKOUTS = "xredline.auth.lockouts";

  private final EventBus bus;
  private final MeterRegistry registry;
  private final Counter lockouts;

  AuthEvents(EventBus bus, MeterRegistry registry) {
    this.bus = bus;
    this.registry = registry;
    this.lockouts = Counter.builder(LOCKOUTS).description("accounts locked after too many failed sign-ins")
        .register(registry);
    // exported at zero from the start, so rate() sees the first sign-in of each common outcome
    for (String result : new String[] {"success", "invalid_credentials"}) {
      loginCounter(result);
    }
  }

  /** {@code username} must already be masked when it is not a known account's name. */
  void publish(Kind kind, Long userId, String username, AuthApi.Origin origin, String outcome) {
    JsonObject event = new JsonObject()
        .put("kind", kind.address.substring(AuthApi.EVENTS_PREFIX.length()))
        .put("user_id", userId)
        .put("username", username)
        .put("ip", origin.clientIp())
        .put("request_id", origin.requestId())
        .put("outcome", outcome)
        .put("at", Instant.now().toString());
    bus.publish(kind.address, event);
  }

  /** {@code result}: success, or the lower-cased reason of the failure (a small, fixed set). */
  void login(String result) {
    loginCounter(result).increment();
  }

  private Counter loginCounter(String result) {
    return Counter.builder(LOGINS).description("sign-in attempts by result").tag("result", result).register(registry);
  }

  void lockout() {
    lockouts.increment();
  }
}
