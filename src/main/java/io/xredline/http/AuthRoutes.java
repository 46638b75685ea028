package io.xredline.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.auth.AuthApi;
import io.xredline.error.AppError;
import io.xredline.error.Reason;


/** CONTRACT §3/§10's auth routes: JSON ⇄ {@link AuthApi} bus messages, protected ones behind {@link BearerAuth}. */
final class AuthRoutes {
  private static final String BASE = "/api/v1/auth";
  private final long busTimeoutMs;

  AuthRoutes(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    BearerAuth bearer = BearerAuth.signedIn(busTimeoutMs);
    router.get(BASE + "/captcha").handler(this::captcha);
    router.post(BASE + "/captcha/verify").consumes("application/json").handler(this::verifyCaptcha);
    router.post(BASE + "/register").consumes("application/json").handler(this::register);
    router.post(BASE + "/login").consumes("application/json").handler(this::login);
    router.post(BASE + "/refresh").consumes("application/json").handler(this::refresh);
    router.post(BASE + "/logout").handler(bearer).handler(this::logout);
    // the bearer check and the read in one bus hop: the most frequent signed-in call
    router.get(BASE + "/me").handler(ctx -> answer(ctx, (bus, origin) ->
        AuthApi.me(bus, ctx.request().getHeader("Authorization"), origin, busTimeoutMs).map(AuthApi.Me::toJson)));
    router.get(BASE + "/lock-status/:username").handler(bearer).handler(ctx -> answer(ctx, (bus, origin) ->
        AuthApi.lockStatus(bus, BearerAuth.principal(ctx), ctx.pathParam("username"), origin, busTimeoutMs)
            .map(AuthApi.LockStatus::toJson)));
    router.post(BASE + "/totp/setup").handler(bearer).handler(ctx -> answer(ctx, (bus, origin) ->
        AuthApi.totpSetup(bus, BearerAuth.principal(ctx), field(ctx, "password"), origin, busTimeoutMs)
            .map(AuthApi.TotpSecret::toJson)));
    router.post(BASE + "/totp/enable").handler(bearer).handler(ctx -> answer(ctx, (bus, origin) ->
        AuthApi.totpEnable(bus, BearerAuth.principal(ctx), field(ctx, "totp_code"), origin, busTimeoutMs)
            .map(codes -> AuthApi.SUCCESS.copy().put("recovery_codes", new JsonArray(codes)))));
    router.post(BASE + "/totp/disable").handler(bearer).handler(this::totpDisable);
    router.post(BASE + "/password").handler(bearer).handler(this::changePassword);
    router.post(BASE + "/password/forgot").consumes("application/json").handler(this::forgotPassword);
    router.post(BASE + "/password/reset").consumes("application/json").handler(this::resetPassword);
    for (String channel : new String[] {"email", "phone"}) {
      router.post(BASE + "/" + channel + "/verify").handler(bearer).handler(ctx -> answer(ctx, (bus, origin) ->
          AuthApi.verifyAddress(bus, BearerAuth.principal(ctx), channel, field(ctx, "code"), origin, busTimeoutMs)
              .map(AuthApi.SUCCESS)));
    }
    router.get(BASE + "/sessions").handler(bearer).handler(ctx -> answer(ctx, (bus, origin) ->
        AuthApi.sessions(bus, BearerAuth.principal(ctx), origin, busTimeoutMs).map(AuthRoutes::sessions)));
    router.delete(BASE + "/sessions/:session_id").handler(bearer).handler(ctx -> answer(ctx, (bus, origin) ->
        AuthApi.revokeSession(bus, BearerAuth.principal(ctx), ctx.pathParam("session_id"), origin, busTimeoutMs)
            .map(AuthApi.SUCCESS)));
    router.get("/.well-known/jwks.json").handler(ctx -> answer(ctx, (bus, origin) -> AuthApi.jwks(bus, origin, busTimeoutMs)));
  }

  private void captcha(RoutingContext ctx) {
    answer(ctx, (bus, origin) -> AuthApi.captcha(bus,
        new AuthApi.CaptchaRequest(ctx.queryParams().get("captcha_type"), ctx.queryParams().get("target")), origin,
        busTimeoutMs).map(AuthApi.Captcha::toJson));
  }

  private void verifyCaptcha(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    AuthApi.VerifyCaptcha request = new AuthApi.VerifyCaptcha(JsonBodies.string(body, "captcha_id"),
        JsonBodies.string(body, "captcha_code"));
    answer(ctx, (bus, origin) -> AuthApi.verifyCaptcha(bus, request, origin, busTimeoutMs)
        .map(ok -> new JsonObject().put("success", ok)));
  }

  private void register(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    AuthApi.Register request = new AuthApi.Register(JsonBodies.string(body, "username"),
        JsonBodies.string(body, "password"), JsonBodies.string(body, "email"), JsonBodies.string(body, "phone"),
        JsonBodies.string(body, "captcha_id"), JsonBodies.string(body, "captcha_code"));
    answer(ctx, 201, (bus, origin) -> AuthApi.register(bus, request, origin, busTimeoutMs).map(AuthApi.Registered::toJson));
  }

  private void login(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    AuthApi.Login request = new AuthApi.Login(JsonBodies.string(body, "username"), JsonBodies.string(body, "password"),
        JsonBodies.string(body, "captcha_id"), JsonBodies.string(body, "captcha_code"),
        JsonBodies.string(body, "totp_code"), JsonBodies.string(body, "recovery_code"));
    answer(ctx, (bus, origin) -> AuthApi.login(bus, request, origin, busTimeoutMs).map(AuthApi.TokenPair::toJson));
  }

  private void totpDisable(RoutingContext ctx) {
    JsonObject body = optionalObject(ctx);
    AuthApi.TotpDisable request = new AuthApi.TotpDisable(JsonBodies.string(body, "password"),
        JsonBodies.string(body, "totp_code"), JsonBodies.string(body, "recovery_code"));
    answer(ctx, (bus, origin) -> AuthApi.totpDisable(bus, BearerAuth.principal(ctx), request, origin, busTimeoutMs)
        .map(AuthApi.SUCCESS));
  }

  private void changePassword(RoutingContext ctx) {
    JsonObject body = optionalObject(ctx);
    AuthApi.ChangePassword request = new AuthApi.ChangePassword(JsonBodies.string(body, "current_password"),
        JsonBodies.string(body, "new_password"));
    answer(ctx, (bus, origin) -> AuthApi.changePassword(bus, BearerAuth.principal(ctx), request, origin, busTimeoutMs)
        .map(AuthApi.SUCCESS));
  }

  private void forgotPassword(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    AuthApi.ForgotPassword request = new AuthApi.ForgotPassword(JsonBodies.string(body, "target"),
        JsonBodies.string(body, "captcha_id"), JsonBodies.string(body, "captcha_code"));
    answer(ctx, 202, (bus, origin) -> AuthApi.forgotPassword(bus, request, origin, busTimeoutMs)
        .map(message -> new JsonObject().put("message", message)));
  }

  private void resetPassword(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    AuthApi.ResetPassword request = new AuthApi.ResetPassword(JsonBodies.string(body, "target"),
        JsonBodies.string(body, "code"), JsonBodies.string(body, "new_password"));
    answer(ctx, (bus, origin) -> AuthApi.resetPassword(bus, request, origin, busTimeoutMs).map(AuthApi.SUCCESS));
  }

  private void refresh(RoutingContext ctx) {
    String token = JsonBodies.string(JsonBodies.object(ctx), "refresh_token");
    answer(ctx, (bus, origin) -> AuthApi.refresh(bus, token, origin, busTimeoutMs).map(AuthApi.TokenPair::toJson));
  }

  private void logout(RoutingContext ctx) {
    JsonObject body = optionalObject(ctx);
    Object all = body.getValue("all_sessions");
    if (all != null && !(all instanceof Boolean)) {
      throw AppError.validation("all_sessions", "all_sessions must be true or false");
    }
    answer(ctx, (bus, origin) -> AuthApi.logout(bus, BearerAuth.principal(ctx), Boolean.TRUE.equals(all), origin,
        busTimeoutMs).map(AuthApi.SUCCESS));
  }

  private static String field(RoutingContext ctx, String name) {
    return JsonBodies.string(optionalObject(ctx), name);
  }

  static JsonObject sessions(java.util.List<AuthApi.Session> sessions) {
    JsonArray out = new JsonArray();
    sessions.forEach(s -> out.add(s.toJson()));
    return new JsonObject().put("sessions", out);
  }

  /** Bodies of protected POSTs are optional; when present they must be JSON objects. */
  private static JsonObject optionalObject(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().isEmpty()) {
      return new JsonObject();
    }
    String type = ctx.request().getHeader("content-type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new AppError(Reason.UNSUPPORTED_MEDIA_TYPE, "content type must be application/json");
    }
    return JsonBodies.object(ctx);
  }

  interface Call extends java.util.function.BiFunction<EventBus, AuthApi.Origin, Future<JsonObject>> {
  }

  private static void answer(RoutingContext ctx, Call call) {
    answer(ctx, 200, call);
  }

  static void answer(RoutingContext ctx, int status, Call call) {
    call.apply(ctx.vertx().eventBus(), BearerAuth.origin(ctx))
        .onSuccess(body -> Responses.json(ctx, status, body))
        .onFailure(e -> HttpErrors.sendFailure(ctx, e));
  }
}
