package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;
import io.xredline.bus.LoopAffinity;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import io.xredline.observability.Masking;

/**
 * The auth capability's event-bus contract: every address, every request and reply shape, and a
 * typed client for the transports. Replies are already the REST bodies of CONTRACT §3 (snake_case).
 * Requests are sent local-only: credentials and tokens never cross a clustered bus.
 */
public final class AuthApi {
  public static final String CAPTCHA = "xredline.auth.captcha";
  public static final String VERIFY_CAPTCHA = "xredline.auth.captcha.verify";
  public static final String REGISTER = "xredline.auth.register";
  public static final String LOGIN = "xredline.auth.login";
  public static final String REFRESH = "xredline.auth.refresh";
  public static final String AUTHENTICATE = "xredline.auth.authenticate";
  /** Like {@link #AUTHENTICATE}, plus the account's current {@code roles} read from the database. */
  public static final String AUTHORIZE = "xredline.auth.authorize";
  public static final String LOGOUT = "xredline.auth.logout";
  public static final String ME = "xredline.auth.me";
  public static final String LOCK_STATUS = "xredline.auth.lock-status";
  public static final String TOTP_SETUP = "xredline.auth.totp.setup";
  public static final String TOTP_ENABLE = "xredline.auth.totp.enable";
  public static final String TOTP_DISABLE = "xredline.auth.totp.disable";
  public static final String JWKS = "xredline.auth.jwks";
  public static final String CHANGE_PASSWORD = "xredline.auth.password.change";
  public static final String FORGOT_PASSWORD = "xredline.auth.password.forgot";
  public static final String RESET_PASSWORD = "xredline.auth.password.reset";
  public static final String VERIFY_EMAIL = "xredline.auth.email.verify";
  public static final String VERIFY_PHONE = "xredline.auth.phone.verify";
  public static final String SESSIONS = "xredline.auth.sessions";
  public static final String REVOKE_SESSION = "xredline.auth.sessions.revoke";
  /**
   * An admin action on an account ({@link AdminAction}); with a {@code principal} it must be an
   * admin's, without one it is the operator CLI (no transport sends it without a principal).
   */
  public static final String ADMIN_ACTION = "xredline.auth.admin.action";
  /** The FORBIDDEN message of every admin route and RPC, so both transports answer alike. */
  public static final String ADMIN_ONLY = "account administration is for administrators";

  /** What an admin can do to an account; {@code path} is its REST path segment and CLI word. */
  public enum AdminAction {
    UNLOCK("unlock", "unlock"), DISABLE("disable", "disable"), ENABLE("enable", "enable"),
    TOTP_RESET("totp/reset", "totp-reset");

    public final String path;
    public final String command;

    AdminAction(String path, String command) {
      this.path = path;
      this.command = command;
    }
  }
  /** Operator-only (the {@code user create} CLI): no transport routes to it. */
  public static final String CREATE_USER = "xredline.auth.create-user";

  /** Where captcha codes go for delivery: {@link Delivery} messages; consumers must never log the code. */
  public static final String DELIVER_SMS = "xredline.auth.captcha.deliver.sms";
  public static final String DELIVER_EMAIL = "xredline.auth.captcha.deliver.email";

  /**
   * Auth events are published on {@code EVENTS_PREFIX + kind} ({@link AuthEvents.Kind}) as JSON
   * {@code {kind, user_id, username, ip, request_id, outcome, at}}; the audit trail records them.
   */
  public static final String EVENTS_PREFIX = "xredline.events.auth.";

  private AuthApi() {
  }

  /** Where a request came from: its request id and the client's address, carried as bus headers for audit events and logs. */
  public record Origin(String requestId, String clientIp, String userAgent) {
    public Origin(String requestId, String clientIp) {
      this(requestId, clientIp, null);
    }
  }

  public record CaptchaRequest(String captchaType, String target) {
    public JsonObject toJson() {
      return new JsonObject().put("captcha_type", captchaType).put("target", target);
    }

    static CaptchaRequest fromJson(JsonObject j) {
      return new CaptchaRequest(j.getString("captcha_type"), j.getString("target"));
    }
  }

  public record VerifyCaptcha(String captchaId, String captchaCode) {
    public JsonObject toJson() {
      return new JsonObject().put("captcha_id", captchaId).put("captcha_code", captchaCode);
    }

    static VerifyCaptcha fromJson(JsonObject j) {
      return new VerifyCaptcha(j.getString("captcha_id"), j.getString("captcha_code"));
    }
  }

  public record Register(String username, String password, String email, String phone, String captchaId,
                         String captchaCode) {
    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("password", password).put("email", email)
          .put("phone", phone).put("captcha_id", captchaId).put("captcha_code", captchaCode);
    }

    static Register fromJson(JsonObject j) {
      return new Register(j.getString("username"), j.getString("password"), j.getString("email"),
          j.getString("phone"), j.getString("captcha_id"), j.getString("captcha_code"));
    }

    @Override
    public String toString() {
      return "Register[username=" + username + ", password=****]";
    }
  }

  /** {@code recoveryCode} may stand in for {@code totpCode} (one of the codes shown when TOTP was enabled). */
  public record Login(String username, String password, String captchaId, String captchaCode, String totpCode,
                      String recoveryCode) {
    public Login(String username, String password, String captchaId, String captchaCode, String totpCode) {
      this(username, password, captchaId, captchaCode, totpCode, null);
    }

    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("password", password).put("captcha_id", captchaId)
          .put("captcha_code", captchaCode).put("totp_code", totpCode).put("recovery_code", recoveryCode);
    }

    static Login fromJson(JsonObject j) {
      return new Login(j.getString("username"), j.getString("password"), j.getString("captcha_id"),
          j.getString("captcha_code"), j.getString("totp_code"), j.getString("recovery_code"));
    }

    @Override
    public String toString() {
      return "Login[password=****]";
    }
  }

  /** A verified access token: who, which token ({@code jti}), which sign-in ({@code familyId}). */
  public record Principal(long userId, String username, String jti, String familyId, long expiresAtSeconds) {
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("username", username).put("jti", jti)
          .put("family_id", familyId).put("exp", expiresAtSeconds);
    }

    public static Principal fromJson(JsonObject j) {
      return new Principal(j.getLong("user_id"), j.getString("username"), j.getString("jti"),
          j.getString("family_id"), j.getLong("exp"));
    }
  }

  /** {@link #AUTHORIZE}'s answer: a live access token's principal and the account's current roles (lower case). */
  public record Authorized(Principal principal, Set<String> roles) {
    public boolean hasRole(String role) {
      return roles.contains(role);
    }

    public static Authorized fromJson(JsonObject j) {
      Set<String> roles = new HashSet<>();
      for (Object role : j.getJsonArray("roles", new JsonArray())) {
        if (role instanceof String r) {
          roles.add(r.toLowerCase(Locale.ROOT));
        }
      }
      return new Authorized(Principal.fromJson(j), Set.copyOf(roles));
    }
  }

  public record TokenPair(String accessToken, String refreshToken, String tokenType, long expiresIn,
                          long refreshExpiresIn) {
    public JsonObject toJson() {
      return new JsonObject().put("access_token", accessToken).put("refresh_token", refreshToken)
          .put("token_type", tokenType).put("expires_in", expiresIn).put("refresh_expires_in", refreshExpiresIn);
    }

    public static TokenPair fromJson(JsonObject j) {
      return new TokenPair(j.getString("access_token"), j.getString("refresh_token"), j.getString("token_type"),
          j.getLong("expires_in"), j.getLong("refresh_expires_in"));
    }

    @Override
    public String toString() {
      return "TokenPair[****]";
    }
  }

  public record Captcha(String captchaId, String imageData, long expiresIn) {
    public JsonObject toJson() {
      return new JsonObject().put("captcha_id", captchaId).put("image_data", imageData).put("expires_in", expiresIn);
    }

    public static Captcha fromJson(JsonObject j) {
      return new Captcha(j.getString("captcha_id"), j.getString("image_data", ""), j.getLong("expires_in"));
    }
  }

  public record Registered(String message, long userId) {
    public JsonObject toJson() {
      return new JsonObject().put("message", message).put("user_id", userId);
    }

    public static Registered fromJson(JsonObject j) {
      return new Registered(j.getString("message"), j.getLong("user_id"));
    }
  }

  public record Me(long userId, String username, String email, String phone, boolean totpEnabled, String createdAt,
                   boolean emailVerified, boolean phoneVerified) {
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("username", username).put("email", email)
          .put("phone", phone).put("totp_enabled", totpEnabled).put("created_at", createdAt)
          .put("email_verified", emailVerified).put("phone_verified", phoneVerified);
    }

    public static Me fromJson(JsonObject j) {
      return new Me(j.getLong("user_id"), j.getString("username"), j.getString("email"), j.getString("phone"),
          j.getBoolean("totp_enabled"), j.getString("created_at"), j.getBoolean("email_verified", false),
          j.getBoolean("phone_verified", false));
    }
  }

  /** One sign-in as {@code GET /api/v1/auth/sessions} lists it; times ISO-8601 UTC, ip/user agent null when unknown. */
  public record Session(String sessionId, String createdAt, String lastUsedAt, String ip, String userAgent,
                        boolean current) {
    public JsonObject toJson() {
      return new JsonObject().put("session_id", sessionId).put("created_at", createdAt).put("last_used_at", lastUsedAt)
          .put("ip", ip).put("user_agent", userAgent).put("current", current);
    }

    public static Session fromJson(JsonObject j) {
      return new Session(j.getString("session_id"), j.getString("created_at"), j.getString("last_used_at"),
          j.getString("ip"), j.getString("user_agent"), j.getBoolean("current"));
    }
  }

  public static java.util.List<Session> sessionsFromJson(JsonObject j) {
    java.util.List<Session> out = new java.util.ArrayList<>();
    for (Object o : j.getJsonArray("sessions", new JsonArray())) {
      out.add(Session.fromJson((JsonObject) o));
    }
    return out;
  }

  public record ChangePassword(String currentPassword, String newPassword) {
    public JsonObject toJson() {
      return new JsonObject().put("current_password", currentPassword).put("new_password", newPassword);
    }

    static ChangePassword fromJson(JsonObject j) {
      return new ChangePassword(j.getString("current_password"), j.getString("new_password"));
    }

    @Override
    public String toString() {
      return "ChangePassword[****]";
    }
  }

  public record ForgotPassword(String target, String captchaId, String captchaCode) {
    public JsonObject toJson() {
      return new JsonObject().put("target", target).put("captcha_id", captchaId).put("captcha_code", captchaCode);
    }

    static ForgotPassword fromJson(JsonObject j) {
      return new ForgotPassword(j.getString("target"), j.getString("captcha_id"), j.getString("captcha_code"));
    }
  }

  public record ResetPassword(String target, String code, String newPassword) {
    public JsonObject toJson() {
      return new JsonObject().put("target", target).put("code", code).put("new_password", newPassword);
    }

    static ResetPassword fromJson(JsonObject j) {
      return new ResetPassword(j.getString("target"), j.getString("code"), j.getString("new_password"));
    }

    @Override
    public String toString() {
      return "ResetPassword[****]";
    }
  }

  /** {@code totpCode} or {@code recoveryCode} proves the second factor; {@code password} the first. */
  public record TotpDisable(String password, String totpCode, String recoveryCode) {
    public JsonObject toJson() {
      return new JsonObject().put("password", password).put("totp_code", totpCode).put("recovery_code", recoveryCode);
    }

    static TotpDisable fromJson(JsonObject j) {
      return new TotpDisable(j.getString("password"), j.getString("totp_code"), j.getString("recovery_code"));
    }

    @Override
    public String toString() {
      return "TotpDisable[****]";
    }
  }

  /**
   * {@code unlockTime} is ISO-8601 UTC, null when not locked or locked account-wide (until an
   * unlock). {@code failedAttempts} counts the account window; {@code maxAttempts} is per (name,
   * address), {@code accountMaxAttempts} the account-wide cap; {@code lockedPairs} the (name,
   * address) pairs locked now.
   */
  public record LockStatus(boolean locked, String unlockTime, int failedAttempts, int maxAttempts,
                           boolean accountLocked, int accountMaxAttempts, int lockedPairs) {
    public JsonObject toJson() {
      return new JsonObject().put("locked", locked).put("unlock_time", unlockTime)
          .put("failed_attempts", failedAttempts).put("max_attempts", maxAttempts)
          .put("account_locked", accountLocked).put("account_max_attempts", accountMaxAttempts)
          .put("locked_pairs", lockedPairs);
    }

    public static LockStatus fromJson(JsonObject j) {
      return new LockStatus(j.getBoolean("locked"), j.getString("unlock_time"), j.getInteger("failed_attempts"),
          j.getInteger("max_attempts"), j.getBoolean("account_locked", false), j.getInteger("account_max_attempts", 0),
          j.getInteger("locked_pairs", 0));
    }
  }

  public record TotpSecret(String secret, String otpauthUrl) {
    public JsonObject toJson() {
      return new JsonObject().put("secret", secret).put("otpauth_url", otpauthUrl);
    }

    public static TotpSecret fromJson(JsonObject j) {
      return new TotpSecret(j.getString("secret"), j.getString("otpauth_url"));
    }
  }

  /** What a delivery consumer receives. {@code code} is secret: send it, never log it (except dev log_codes). */
  public record Delivery(String channel, String target, String code, long expiresInSeconds) {
    public JsonObject toJson() {
      return new JsonObject().put("channel", channel).put("target", target).put("code", code)
          .put("expires_in", expiresInSeconds);
    }

    public static Delivery fromJson(JsonObject j) {
      return new Delivery(j.getString("channel"), j.getString("target"), j.getString("code"), j.getLong("expires_in"));
    }

    /** The target as logs and events show it. */
    public String maskedTarget() {
      return "email".equals(channel) ? Masking.email(target) : Masking.phone(target);
    }

    @Override
    public String toString() {
      return "Delivery[" + channel + " to " + maskedTarget() + "]";
    }
  }

  public static final JsonObject SUCCESS = new JsonObject().put("success", true);

  private static DeliveryOptions options(Origin origin, long timeoutMs) {
    DeliveryOptions options = BusReplies.withOrigin(origin.requestId(), origin.clientIp(), timeoutMs).setLocalOnly(true);
    if (origin.userAgent() != null && !origin.userAgent().isEmpty()) {
      String ua = origin.userAgent();
      options.addHeader(BusReplies.USER_AGENT_HEADER, ua.length() > BusReplies.USER_AGENT_MAX
          ? ua.substring(0, BusReplies.USER_AGENT_MAX) : ua);
    }
    return options;
  }

  private static Future<JsonObject> request(EventBus bus, String address, JsonObject body, Origin origin, long timeoutMs) {
    return LoopAffinity.<JsonObject>request(bus, address, body, options(origin, timeoutMs)).map(m -> m.body());
  }

  public static Future<Captcha> captcha(EventBus bus, CaptchaRequest r, Origin o, long timeoutMs) {
    return request(bus, CAPTCHA, r.toJson(), o, timeoutMs).map(Captcha::fromJson);
  }

  public static Future<Boolean> verifyCaptcha(EventBus bus, VerifyCaptcha r, Origin o, long timeoutMs) {
    return request(bus, VERIFY_CAPTCHA, r.toJson(), o, timeoutMs).map(j -> j.getBoolean("success"));
  }

  public static Future<Registered> register(EventBus bus, Register r, Origin o, long timeoutMs) {
    return request(bus, REGISTER, r.toJson(), o, timeoutMs).map(Registered::fromJson);
  }

  public static Future<TokenPair> login(EventBus bus, Login r, Origin o, long timeoutMs) {
    return request(bus, LOGIN, r.toJson(), o, timeoutMs).map(TokenPair::fromJson);
  }

  public static Future<TokenPair> refresh(EventBus bus, String refreshToken, Origin o, long timeoutMs) {
    return request(bus, REFRESH, new JsonObject().put("refresh_token", refreshToken), o, timeoutMs)
        .map(TokenPair::fromJson);
  }

  /**
   * Checks an {@code Authorization} header value (or gRPC metadata): {@code TOKEN_MISSING},
   * {@code INVALID_TOKEN_FORMAT}, {@code TOKEN_INVALID}, {@code TOKEN_EXPIRED}, else the principal.
   */
  public static Future<Principal> authenticate(EventBus bus, String authorization, Origin o, long timeoutMs) {
    return request(bus, AUTHENTICATE, new JsonObject().put("authorization", authorization), o, timeoutMs)
        .map(Principal::fromJson);
  }

  /** Like {@link #authenticate}, and the account's roles as the database holds them now. */
  public static Future<Authorized> authorize(EventBus bus, String authorization, Origin o, long timeoutMs) {
    return request(bus, AUTHORIZE, new JsonObject().put("authorization", authorization), o, timeoutMs)
        .map(Authorized::fromJson);
  }

  public static Future<Void> logout(EventBus bus, Principal p, boolean allSessions, Origin o, long timeoutMs) {
    return request(bus, LOGOUT, new JsonObject().put("principal", p.toJson()).put("all_sessions", allSessions), o,
        timeoutMs).mapEmpty();
  }

  /**
   * The account of an {@code Authorization} value, checked and read in one bus round trip, with
   * {@link #authenticate}'s refusals.
   */
  public static Future<Me> me(EventBus bus, String authorization, Origin o, long timeoutMs) {
    return request(bus, ME, new JsonObject().put("authorization", authorization), o, timeoutMs).map(Me::fromJson);
  }

  public static Future<LockStatus> lockStatus(EventBus bus, Principal p, String username, Origin o, long timeoutMs) {
    return request(bus, LOCK_STATUS, new JsonObject().put("principal", p.toJson()).put("username", username), o,
        timeoutMs).map(LockStatus::fromJson);
  }

  public static Future<TotpSecret> totpSetup(EventBus bus, Principal p, String password, Origin o, long timeoutMs) {
    return request(bus, TOTP_SETUP, new JsonObject().put("principal", p.toJson()).put("password", password), o, timeoutMs)
        .map(TotpSecret::fromJson);
  }

  /** The recovery codes: shown this once, stored only as digests. */
  public static Future<java.util.List<String>> totpEnable(EventBus bus, Principal p, String code, Origin o, long timeoutMs) {
    return request(bus, TOTP_ENABLE, new JsonObject().put("principal", p.toJson()).put("totp_code", code), o,
        timeoutMs).map(j -> j.getJsonArray("recovery_codes", new JsonArray()).stream().map(String::valueOf).toList());
  }

  public static Future<Void> totpDisable(EventBus bus, Principal p, TotpDisable r, Origin o, long timeoutMs) {
    return request(bus, TOTP_DISABLE, r.toJson().put("principal", p.toJson()), o, timeoutMs).mapEmpty();
  }

  public static Future<Void> changePassword(EventBus bus, Principal p, ChangePassword r, Origin o, long timeoutMs) {
    return request(bus, CHANGE_PASSWORD, r.toJson().put("principal", p.toJson()), o, timeoutMs).mapEmpty();
  }

  /** The {@code message} of the 202: the same whether or not an account has the target. */
  public static Future<String> forgotPassword(EventBus bus, ForgotPassword r, Origin o, long timeoutMs) {
    return request(bus, FORGOT_PASSWORD, r.toJson(), o, timeoutMs).map(j -> j.getString("message"));
  }

  public static Future<Void> resetPassword(EventBus bus, ResetPassword r, Origin o, long timeoutMs) {
    return request(bus, RESET_PASSWORD, r.toJson(), o, timeoutMs).mapEmpty();
  }

  /** {@code channel} email or phone: proves the account's own address with the code last sent to it. */
  public static Future<Void> verifyAddress(EventBus bus, Principal p, String channel, String code, Origin o,
                                           long timeoutMs) {
    return request(bus, "phone".equals(channel) ? VERIFY_PHONE : VERIFY_EMAIL,
        new JsonObject().put("principal", p.toJson()).put("code", code), o, timeoutMs).mapEmpty();
  }

  public static Future<java.util.List<Session>> sessions(EventBus bus, Principal p, Origin o, long timeoutMs) {
    return request(bus, SESSIONS, new JsonObject().put("principal", p.toJson()), o, timeoutMs)
        .map(AuthApi::sessionsFromJson);
  }

  public static Future<Void> revokeSession(EventBus bus, Principal p, String sessionId, Origin o, long timeoutMs) {
    return request(bus, REVOKE_SESSION, new JsonObject().put("principal", p.toJson()).put("session_id", sessionId), o,
        timeoutMs).mapEmpty();
  }

  /** {@code admin} null only for the operator CLI. */
  public static Future<Void> admin(EventBus bus, Principal admin, AdminAction action, String username, Origin o,
                                   long timeoutMs) {
    JsonObject body = new JsonObject().put("action", action.name()).put("username", username);
    if (admin != null) {
      body.put("principal", admin.toJson());
    }
    return request(bus, ADMIN_ACTION, body, o, timeoutMs).mapEmpty();
  }

  /** Creates an account without captcha or email (for operators); same username and password rules. */
  public static Future<Registered> createUser(EventBus bus, String username, String password, boolean admin, Origin o,
                                              long timeoutMs) {
    return request(bus, CREATE_USER, new JsonObject().put("username", username).put("password", password)
        .put("admin", admin), o, timeoutMs).map(Registered::fromJson);
  }

  /** The public JWK set, or {@code NOT_FOUND} when tokens are signed with a shared secret. */
  public static Future<JsonObject> jwks(EventBus bus, Origin o, long timeoutMs) {
    return request(bus, JWKS, new JsonObject(), o, timeoutMs);
  }
}
