package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.xredline.auth.store.AuthRedis;
import io.xredline.auth.store.CaptchaStore;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.TokenFamilies;
import io.xredline.auth.store.TotpReplayGuard;
import io.xredline.auth.store.UserStore;
import io.xredline.bus.BusReplies;
import io.xredline.bus.CapabilityVerticle;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.CacheLookups;
import io.xredline.data.RedisClients;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.kms.DataKeys;
import io.xredline.kms.RootKey;
import io.xredline.features.FeatureFlags;
import io.xredline.observability.RequestContext;
import io.xredline.plugins.PluginsApi;
import io.xredline.observability.Telemetry;
import io.xredline.ratelimit.RateLimiter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The auth capability: every rule of CONTRACT §3 sits behind these addresses ({@link AuthApi}),
 * and nothing else reaches the users table or the auth keys in Redis.
 */
public final class AuthVerticle extends CapabilityVerticle {
  private RedisAPI redis;
  private WorkerExecutor hashingPool;
  private PasswordHashing hashing;
  private RateLimiter limiter;
  private KeyRotation rotation;
  private FeatureFlags flags;

  public AuthVerticle(AppConfig config, Backends backends) {
    super(config, backends);
  }

  @Override
  public Future<?> start() {
    AppConfig.Auth auth = config.auth();
    CacheLookups lookups = CacheLookups.of(vertx, config.data().redis().keyPrefix());
    redis = RedisClients.api(RedisClients.client(vertx, config.data().redis(), backends.redisUrl()), lookups);
    RedisKeys keys = new RedisKeys(config.data().redis().keyPrefix());
    hashingPool = vertx.createSharedWorkerExecutor(PasswordHashing.POOL_NAME, auth.password().hashingPoolSize());
    hashing = new PasswordHashing(auth.password(), hashingPool, Telemetry.registry(vertx));
    // the key check runs first: a wrong root key stops the start here, with its own message
    return DataKeys.load(vertx, pool(), RootKey.of(config.security().kms().masterKey()))
        .compose(dataKeys -> start(auth, keys, lookups, hashing, dataKeys));
  }

  private Future<?> start(AppConfig.Auth auth, RedisKeys keys, CacheLookups lookups, PasswordHashing hashing,
                          DataKeys dataKeys) {
    UserStore users = new UserStore(vertx, pool(), dataKeys);
    rotation = new KeyRotation(vertx, dataKeys, users, config.security().kms());
    rotation.start();
    AuthEvents events = new AuthEvents(vertx.eventBus(), Telemetry.registry(vertx));
    limiter = new RateLimiter(vertx, redis, config.data().redis().keyPrefix(), config.security().rateLimit());
    AuthLimits limits = new AuthLimits(limiter);
    flags = FeatureFlags.watching(vertx, config.features());
    PluginsApi.Hooks hooks = PluginsApi.Hooks.of(vertx.eventBus(), config.plugins());
    AuthRedis scripted = new AuthRedis(redis, keys, lookups);
    Captchas captchas = new Captchas(vertx, new CaptchaStore(scripted), auth.captcha(), limits, flags);
    LoginAttempts attempts = new LoginAttempts(redis, keys, auth.maxLoginAttempts(), auth.lockWindow(), auth.lockDuration(),
        auth.lockout().accountMax(), auth.lockout().accountWindow(), reservationTtl(config));
    Tokens tokens = new Tokens(vertx, auth.jwt());
    Sessions sessions = new Sessions(tokens, new TokenFamilies(scripted), events, auth.jwt());
    Reauthentication reauth = new Reauthentication(hashing, attempts, events);
    TwoFactor twoFactor = new TwoFactor(users, new TotpReplayGuard(redis, keys), events, auth, reauth, flags);
    Registration registration = new Registration(users, hashing, captchas, events, limits, flags, hooks);
    Accounts accounts = new Accounts(users, attempts, auth.maxLoginAttempts(), auth.lockout().accountMax(), captchas,
        events);
    PasswordFlows passwords = new PasswordFlows(users, hashing, captchas, attempts, sessions, reauth, events, limits,
        auth.passwordReset());
    AccountAdmin admin = new AccountAdmin(users, attempts, sessions, events);

    // the common-password list loads off the event loop; unknown login names are checked against
    // the decoy hash, so they cost what a real account costs
    return vertx.executeBlocking(CommonPasswords::size, false)
        .compose(words -> {
      SignIn signIn = new SignIn(users, hashing, hashing.decoy(), captchas, attempts, sessions, twoFactor, events, limits,
          hooks);
      List<Future<Void>> consumers = new ArrayList<>();
      consumers.add(on(AuthApi.CAPTCHA, (body, origin) ->
          captchas.issue(AuthApi.CaptchaRequest.fromJson(body), origin).map(AuthApi.Captcha::toJson)));
      consumers.add(on(AuthApi.VERIFY_CAPTCHA, (body, origin) -> captchas.verify(AuthApi.VerifyCaptcha.fromJson(body))));
      consumers.add(on(AuthApi.REGISTER, (body, origin) ->
          registration.register(AuthApi.Register.fromJson(body), origin).map(AuthApi.Registered::toJson)));
      consumers.add(on(AuthApi.LOGIN, (body, origin) ->
          signIn.login(AuthApi.Login.fromJson(body), origin).map(AuthApi.TokenPair::toJson)));
      consumers.add(on(AuthApi.REFRESH, (body, origin) ->
          sessions.refresh(body.getString("refresh_token"), origin).map(AuthApi.TokenPair::toJson)));
      consumers.add(on(AuthApi.AUTHENTICATE, (body, origin) ->
          sessions.authenticate(body.getString("authorization")).map(AuthApi.Principal::toJson)));
      consumers.add(on(AuthApi.AUTHORIZE, (body, origin) ->
          sessions.authenticate(body.getString("authorization")).compose(principal -> users.findById(principal.userId())
              .map(user -> principal.toJson().put("roles", new io.vertx.core.json.JsonArray(
                  user.map(UserStore.User::roles).orElse(java.util.List.of())))))));
      consumers.add(on(AuthApi.LOGOUT, (body, origin) ->
          sessions.logout(principal(body), body.getBoolean("all_sessions", false), origin).map(AuthApi.SUCCESS)));
      // the bearer value itself, not a principal: GET /me costs one bus round trip, not two
      consumers.add(on(AuthApi.ME, (body, origin) ->
          sessions.authenticate(body.getString("authorization")).compose(accounts::me).map(AuthApi.Me::toJson)));
      consumers.add(on(AuthApi.LOCK_STATUS, (body, origin) ->
          accounts.lockStatus(principal(body), body.getString("username")).map(AuthApi.LockStatus::toJson)));
      consumers.add(on(AuthApi.TOTP_SETUP, (body, origin) ->
          twoFactor.setup(principal(body), body.getString("password"), origin).map(AuthApi.TotpSecret::toJson)));
      consumers.add(on(AuthApi.TOTP_ENABLE, (body, origin) ->
          twoFactor.enable(principal(body), body.getString("totp_code"), origin).map(codes ->
              AuthApi.SUCCESS.copy().put("recovery_codes", new JsonArray(codes)))));
      consumers.add(on(AuthApi.TOTP_DISABLE, (body, origin) ->
          twoFactor.disable(principal(body), AuthApi.TotpDisable.fromJson(body), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.CHANGE_PASSWORD, (body, origin) ->
          passwords.change(principal(body), AuthApi.ChangePassword.fromJson(body), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.FORGOT_PASSWORD, (body, origin) ->
          passwords.forgot(AuthApi.ForgotPassword.fromJson(body), origin).map(m -> new JsonObject().put("message", m))));
      consumers.add(on(AuthApi.RESET_PASSWORD, (body, origin) ->
          passwords.reset(AuthApi.ResetPassword.fromJson(body), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.VERIFY_EMAIL, (body, origin) -> accounts.verify(principal(body),
          UserStore.LoginField.EMAIL, body.getString("code"), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.VERIFY_PHONE, (body, origin) -> accounts.verify(principal(body),
          UserStore.LoginField.PHONE, body.getString("code"), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.SESSIONS, (body, origin) -> sessions.list(principal(body))));
      consumers.add(on(AuthApi.REVOKE_SESSION, (body, origin) ->
          sessions.revoke(principal(body), body.getString("session_id"), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.ADMIN_ACTION, (body, origin) -> admin.apply(
          body.containsKey("principal") ? principal(body) : null, adminAction(body.getString("action")),
          body.getString("username"), origin).map(AuthApi.SUCCESS)));
      consumers.add(on(AuthApi.CREATE_USER, (body, origin) -> registration.createUser(body.getString("username"),
          body.getString("password"), body.getBoolean("admin", false), origin).map(AuthApi.Registered::toJson)));
      consumers.add(on(AuthApi.JWKS, (body, origin) -> tokens.jwks() == null
          ? Future.failedFuture(new AppError(Reason.NOT_FOUND, "no public keys: tokens are signed with a shared secret"))
          : Future.succeededFuture(tokens.jwks())));
      return Future.all(consumers);
    });
  }

  private Future<Void> on(String address, BiFunction<JsonObject, AuthApi.Origin, Future<JsonObject>> handler) {
    return this.<JsonObject>serveLocal(address, message -> handle(message, handler));
  }

  private static void handle(Message<JsonObject> message, BiFunction<JsonObject, AuthApi.Origin, Future<JsonObject>> handler) {
    AuthApi.Origin origin = new AuthApi.Origin(message.headers().get(RequestContext.REQUEST_ID_HEADER),
        message.headers().get(BusReplies.CLIENT_IP_HEADER), message.headers().get(BusReplies.USER_AGENT_HEADER));
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    // a rule that throws (validation) answers like one that fails
    BusReplies.reply(message, Future.future(p -> handler.apply(body, origin).onComplete(p)));
  }

  private static AuthApi.AdminAction adminAction(String name) {
    try {
      return name == null ? null : AuthApi.AdminAction.valueOf(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static AuthApi.Principal principal(JsonObject body) {
    JsonObject p = body.getJsonObject("principal");
    if (p == null) {
      throw new AppError(Reason.TOKEN_MISSING, "authorization required");
    }
    return AuthApi.Principal.fromJson(p);
  }

  /**
   * How long a login attempt may hold its reservation: longer than any request can last (the
   * transports give up after server.http.timeout), so a slow hash never frees its slot early;
   * short enough that an instance dying mid-attempt blocks a pair only briefly.
   */
  static java.time.Duration reservationTtl(AppConfig config) {
    java.time.Duration twice = config.server().http().timeout().multipliedBy(2);
    java.time.Duration floor = java.time.Duration.ofSeconds(10);
    return twice.compareTo(floor) < 0 ? floor : twice;
  }

  @Override
  public Future<?> stop() {
    if (rotation != null) {
      rotation.stop();
    }
    if (flags != null) {
      flags.close();
    }
    if (limiter != null) {
      limiter.close();
    }
    if (hashingPool != null) {
      hashingPool.close();
    }
    if (hashing != null) {
      hashing.close();
    }
    if (redis != null) {
      redis.close();
    }
    return release();
  }
}
