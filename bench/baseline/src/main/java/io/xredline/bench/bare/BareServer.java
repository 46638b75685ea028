package io.xredline.bench.bare;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The baseline of {@code scripts/bench http}: bare Vert.x 5 doing exactly the work of xredline's
 * measured routes, on the same paths, and nothing else (no request id header, access log, security
 * headers, timeout, body handler, metrics, tracing, event bus):
 * <ul>
 *   <li>{@code GET /healthz/live}: {@code {"status":"UP"}}, encoded per request;</li>
 *   <li>{@code GET /helloworld/:name}: the greeter's checks and its INSERT into {@code greetings};</li>
 *   <li>{@code GET /api/v1/auth/me}: HS256 verify with the service's claim checks (iss, aud, exp/nbf
 *       with leeway, typ, sub, jti, fid), the service's one Redis lookup for a bearer token (the
 *       deny-list + session script, verbatim), the service's SELECT on users, masked PII.</li>
 * </ul>
 * Before the work of the last two, like the service on every API route, the per-address rate-limit
 * decision (the service's GCRA script with the same key and quota) when {@code BARE_LIMIT_BURST} is set.
 * Both scripts go out as EVALSHA, as the service sends them.
 * Like xredline by default: Vert.x default event loops (2 × cores), one HTTP verticle instance per
 * core, one shared PostgreSQL pool and a Redis client of {@code conf/config.yaml}'s sizes.
 * Configured by environment variables only (see {@link #main}).
 */
public final class BareServer extends VerticleBase {
  /** The service's access check (auth/store/TokenFamilies CHECK_ACCESS): disabled flag, deny-list, then the session, same keys. */
  static final String CHECK_ACCESS = """
      if redis.call('EXISTS', KEYS[3]) == 1 then return 'DISABLED' end
      if redis.call('EXISTS', KEYS[1]) == 1 then return 'DENIED' end
      local revoked = redis.call('HGET', KEYS[2], 'revoked')
      if not revoked or revoked == '1' then return 'REVOKED' end
      return 'OK'
      """;
  /**
   * The service's per-address rate-limit decision (ratelimit/RateLimitBuckets TAKE, verbatim): every
   * API request of the service takes one unit from its address's {@code default} bucket first.
   */
  static final String TAKE = """
      local clock = redis.call('TIME')
      local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
      local n = #KEYS
      local refused, retry = 0, 0
      local after = {}
      for i = 1, n do
        local interval = tonumber(ARGV[2 * i - 1])
        local capacity = interval * tonumber(ARGV[2 * i])
        local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
        if tat < now then tat = now end
        after[i] = tat + interval
        local wait = after[i] - now - capacity
        if wait > 0 and wait > retry then refused = i; retry = wait end
      end
      local out = {refused, math.floor(retry)}
      for i = 1, n do
        local interval = tonumber(ARGV[2 * i - 1])
        local burst = tonumber(ARGV[2 * i])
        local used
        if refused == 0 then
          used = after[i] - now
          redis.call('SET', KEYS[i], string.format('%.0f', after[i]), 'PX', math.ceil(used / 1000))
        else
          used = math.max(after[i] - interval - now, 0)
        end
        local remaining = math.floor((interval * burst - used) / interval)
        if remaining < 0 then remaining = 0 end
        local nxt = 0
        if remaining < burst then nxt = (remaining + 1) * interval - (interval * burst - used) end
        out[#out + 1] = remaining
        out[#out + 1] = math.ceil(nxt)
      end
      return out
      """;
  static final String INSERT_GREETING = "INSERT INTO greetings (name, transport, request_id) VALUES ($1, $2, $3)";
  /**
   * The service's SELECT since PII is sealed at rest. The bare server does not open the ciphertexts
   * (the service's AES-GCM open, a few µs per column, is the one piece of /me work it skips).
   */
  static final String SELECT_USER = "SELECT id, username, password_hash, email_ciphertext, phone_ciphertext,"
      + " totp_secret_ciphertext, totp_enabled, roles, created_at, email_verified, phone_verified, disabled"
      + " FROM users WHERE id = $1";
  private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final Pattern USER_ID = Pattern.compile("[0-9]{1,18}");
  private static final int MAX_NAME_LENGTH = 100;

  private final Settings settings;
  private final Pool pool;
  private final RedisAPI redis;
  private final Scripts scripts;
  private JWTAuth jwt;

  BareServer(Settings settings, Pool pool, RedisAPI redis, Scripts scripts) {
    this.settings = settings;
    this.pool = pool;
    this.redis = redis;
    this.scripts = scripts;
  }

  /** The SHA1s of the two scripts, loaded once: the service sends EVALSHA too (data/RedisScripts). */
  record Scripts(String checkAccess, String take) {
  }

  record Settings(int port, String pgUrl, String redisUrl, String jwtSecret, String issuer, String audience,
                  int leewaySeconds, String keyPrefix, int instances, int pgPoolSize, int redisPoolSize,
                  double limitRequestsPerSecond, int limitBurst) {
    static Settings fromEnv(Map<String, String> env) {
      int cores = Runtime.getRuntime().availableProcessors();
      int instances = Integer.parseInt(env.getOrDefault("BARE_INSTANCES", "0"));
      return new Settings(
          Integer.parseInt(env.getOrDefault("BARE_PORT", "8100")),
          required(env, "BARE_PG_URL"),
          env.getOrDefault("BARE_REDIS_URL", "redis://127.0.0.1:6379/0"),
          required(env, "BARE_JWT_SECRET"),
          env.getOrDefault("BARE_JWT_ISSUER", "xredline"),
          env.getOrDefault("BARE_JWT_AUDIENCE", "xredline"),
          Integer.parseInt(env.getOrDefault("BARE_JWT_LEEWAY_SECONDS", "30")),
          env.getOrDefault("BARE_REDIS_KEY_PREFIX", "xredline:"),
          instances > 0 ? instances : cores,
          Integer.parseInt(env.getOrDefault("BARE_PG_POOL_SIZE", "16")),
          Integer.parseInt(env.getOrDefault("BARE_REDIS_POOL_SIZE", "16")),
          Double.parseDouble(env.getOrDefault("BARE_LIMIT_REQUESTS_PER_SECOND", "0")),
          Integer.parseInt(env.getOrDefault("BARE_LIMIT_BURST", "0")));
    }

    private static String required(Map<String, String> env, String name) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " is required");
      }
      return value;
    }
  }

  /**
   * Environment: {@code BARE_PG_URL} and {@code BARE_JWT_SECRET} (required), {@code BARE_PORT} (8100),
   * {@code BARE_REDIS_URL}, {@code BARE_REDIS_KEY_PREFIX} ({@code xredline:}), {@code BARE_INSTANCES}
   * (0 = cores), {@code BARE_PG_POOL_SIZE} / {@code BARE_REDIS_POOL_SIZE} (16),
   * {@code BARE_JWT_ISSUER} / {@code BARE_JWT_AUDIENCE} ({@code xredline}), {@code BARE_JWT_LEEWAY_SECONDS} (30),
   * {@code BARE_LIMIT_REQUESTS_PER_SECOND} / {@code BARE_LIMIT_BURST} (the service's
   * {@code security.rate_limit.default}; 0 = no limit decision, as with {@code security.rate_limit.enabled: false}).
   */
  public static void main(String[] args) {
    Settings settings = Settings.fromEnv(System.getenv());
    Vertx vertx = ServiceShape.METERS ? ServiceShape.vertx() : Vertx.vertx();
    // one pool per process, shared by the verticle instances, as the service's Database.pool does
    PgConnectOptions connect = PgConnectOptions.fromUri(settings.pgUrl()).setCachePreparedStatements(true);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(settings.pgPoolSize()).setMaxWaitQueueSize(1024).setShared(true)
            .setName("bare-pg"))
        .connectingTo(connect).using(vertx).build();
    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(settings.redisUrl())
        .setMaxPoolSize(settings.redisPoolSize())
        .setMaxPoolWaiting(1024)
        .setMaxWaitingHandlers(1024)));
    redis.script(List.of("LOAD", CHECK_ACCESS))
        .compose(checkAccess -> redis.script(List.of("LOAD", TAKE))
            .map(take -> new Scripts(checkAccess.toString(), take.toString())))
        .compose(scripts -> vertx.deployVerticle(() -> new BareServer(settings, pool, redis, scripts),
            new DeploymentOptions().setInstances(settings.instances())))
        .onSuccess(id -> System.out.printf("bare Vert.x listening on :%d (%d instances)%n", settings.port(),
            settings.instances()))
        .onFailure(e -> {
          System.err.println("bare Vert.x failed to start: " + e);
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.jwtSecret()))
        .setJWTOptions(new JWTOptions()
            .setIssuer(settings.issuer())
            .setAudience(List.of(settings.audience()))
            .setLeeway(settings.leewaySeconds())));
    Router router = Router.router(vertx);
    router.get("/healthz/live").handler(this::live);
    router.get("/helloworld/:name").handler(this::hello);
    router.get("/api/v1/auth/me").handler(this::me);
    return vertx.createHttpServer(ServiceShape.OPTIONS ? ServiceShape.options() : new HttpServerOptions())
        .requestHandler(router).listen(settings.port());
  }

  private void live(RoutingContext ctx) {
    if (ServiceShape.RESPONSE) {
      ServiceShape.live(ctx.response());
      return;
    }
    json(ctx, 200, new JsonObject().put("status", "UP").toBuffer());
  }

  /**
   * The service's {@code default} limit on API routes: one unit from the client address's bucket
   * ({@code {rl:ip:ADDRESS}:default}, the service's key), 429 when refused; nothing without a limit.
   */
  private Future<Void> limit(RoutingContext ctx) {
    if (settings.limitBurst() <= 0) {
      return Future.succeededFuture();
    }
    String key = settings.keyPrefix() + "{rl:ip:" + ctx.request().remoteAddress().hostAddress() + "}:default";
    String interval = String.format(java.util.Locale.ROOT, "%.3f", 1_000_000.0 / settings.limitRequestsPerSecond());
    return redis.evalsha(List.of(scripts.take(), "1", key, interval, String.valueOf(settings.limitBurst())))
        .compose(r -> r.get(0).toInteger() == 0 ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("RATE_LIMITED")));
  }

  private void hello(RoutingContext ctx) {
    limit(ctx).onComplete(allowed -> greet(ctx), refused -> error(ctx, 429, "RATE_LIMITED"));
  }

  private void greet(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (name == null || name.isBlank() || name.codePointCount(0, name.length()) > MAX_NAME_LENGTH
        || name.chars().anyMatch(Character::isISOControl)) {
      error(ctx, 400, "VALIDATION_FAILED");
      return;
    }
    pool.preparedQuery(INSERT_GREETING)
        .execute(Tuple.of(name, "http", UUID.randomUUID().toString()))
        .onSuccess(rows -> json(ctx, 200, new JsonObject().put("message", "Hello " + name).toBuffer()))
        .onFailure(e -> error(ctx, 503, "SERVICE_UNAVAILABLE"));
  }

  private record Claims(long userId, String jti, String familyId) {
  }

  private void me(RoutingContext ctx) {
    limit(ctx).onComplete(allowed -> answerMe(ctx), refused -> error(ctx, 429, "RATE_LIMITED"));
  }

  private void answerMe(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      error(ctx, 401, "TOKEN_MISSING");
      return;
    }
    String token = authorization.substring(7).trim();
    if (token.length() > 8192 || !JWT_SHAPE.matcher(token).matches()) {
      error(ctx, 401, "INVALID_TOKEN_FORMAT");
      return;
    }
    jwt.authenticate(new TokenCredentials(token))
        .map(user -> claims(user.principal()))
        .compose(claims -> redis.evalsha(List.of(scripts.checkAccess(), "3",
                settings.keyPrefix() + "auth:deny:{u" + claims.userId() + "}:" + claims.jti(),
                settings.keyPrefix() + "auth:family:{u" + claims.userId() + "}:" + claims.familyId(),
                settings.keyPrefix() + "auth:disabled:{u" + claims.userId() + "}"))
            .compose(access -> "OK".equals(access.toString())
                ? pool.preparedQuery(SELECT_USER).execute(Tuple.of(claims.userId()))
                : Future.failedFuture(new IllegalStateException("session " + access))))
        .onSuccess(rows -> {
          if (rows.size() == 0) {
            error(ctx, 404, "NOT_FOUND");
            return;
          }
          Row u = rows.iterator().next();
          json(ctx, 200, new JsonObject()
              .put("user_id", u.getLong("id"))
              .put("username", u.getString("username"))
              .put("email", maskEmail(u.getString("email_ciphertext")))
              .put("phone", maskPhone(u.getString("phone_ciphertext")))
              .put("email_verified", u.getBoolean("email_verified"))
              .put("phone_verified", u.getBoolean("phone_verified"))
              .put("totp_enabled", u.getBoolean("totp_enabled"))
              .put("created_at", u.getOffsetDateTime("created_at").toInstant().truncatedTo(ChronoUnit.SECONDS).toString())
              .toBuffer());
        })
        .onFailure(e -> error(ctx, 401, "TOKEN_INVALID"));
  }

  /** The claims the service insists on beyond what vertx-auth-jwt checks (iss, aud, exp/nbf/iat). */
  private static Claims claims(JsonObject p) {
    Object sub = p.getValue("sub");
    Object jti = p.getValue("jti");
    Object fid = p.getValue("fid");
    if (!"access".equals(p.getValue("typ")) || !(sub instanceof String s) || !USER_ID.matcher(s).matches()
        || !(jti instanceof String j) || !(fid instanceof String f)) {
      throw new IllegalArgumentException("not an access token");
    }
    return new Claims(Long.parseLong(s), j, f);
  }

  static String maskEmail(String email) {
    if (email == null) {
      return null;
    }
    int at = email.lastIndexOf('@');
    if (at <= 0) {
      return "****";
    }
    return email.substring(0, at <= 2 ? 1 : 2) + "**" + email.substring(at);
  }

  static String maskPhone(String phone) {
    if (phone == null) {
      return null;
    }
    if (phone.length() < 8) {
      return "****";
    }
    return phone.substring(0, 3) + "*".repeat(phone.length() - 7) + phone.substring(phone.length() - 4);
  }

  private static void json(RoutingContext ctx, int status, Buffer body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body);
  }

  private static void error(RoutingContext ctx, int status, String reason) {
    json(ctx, status, new JsonObject().put("code", status).put("reason", reason).toBuffer());
  }
}
