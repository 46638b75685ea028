package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.LockStatusReply;
import io.xredline.api.auth.v1.LockStatusRequest;
import io.xredline.api.auth.v1.LoginRequest;
import io.xredline.api.auth.v1.TokenReply;
import io.xredline.testing.Eventually;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("login: by username/email/phone, no enumeration, lockout (atomic across instances), lock-status, audit, metrics")
class LoginTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("authlogin", overrides("auth.max_login_attempts", "3", "auth.lock_duration", "1h"));
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static JsonObject lockStatus(TestApp app, JsonObject tokens, String username) {
    HttpResponse<String> r = app.get(AUTH + "/lock-status/" + username, bearer(tokens));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private static JsonObject claims(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  /** argon2id verifications the instance ran (dummy ones included), from its own registry. */
  static double verifications(TestApp app) {
    var counter = app.app().telemetry().registry().find("xredline.auth.password.verifications").counter();
    return counter == null ? 0 : counter.count();
  }

  private static double logins(String result) {
    var counter = app.app().telemetry().registry().find("xredline.auth.logins").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  private static double lockouts() {
    var counter = app.app().telemetry().registry().find("xredline.auth.lockouts").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("success: the token pair of CONTRACT §3, with every claim, by username, email (any case) and phone")
  void success() {
    String username = uniqueName("Login");
    String mail = username.toLowerCase() + "@example.com";
    JsonObject reg = registration(app, username, PASSWORD, mail).put("phone", "13700001234");
    assertThat(postJson(app, AUTH + "/register", reg).statusCode()).isEqualTo(201);
    double before = logins("success");

    JsonObject tokens = tokens(app, username);
    assertThat(tokens.fieldNames()).containsExactlyInAnyOrder("access_token", "refresh_token", "token_type", "expires_in",
        "refresh_expires_in");
    assertThat(tokens.getString("token_type")).isEqualTo("Bearer");
    assertThat(tokens.getLong("expires_in")).isEqualTo(900);
    assertThat(tokens.getLong("refresh_expires_in")).isEqualTo(7 * 24 * 3600);
    JsonObject access = claims(tokens.getString("access_token"));
    assertThat(access.fieldNames()).contains("sub", "username", "jti", "iat", "exp", "iss", "aud", "typ");
    assertThat(access.getString("typ")).isEqualTo("access");
    assertThat(access.getString("username")).isEqualTo(username);
    assertThat(access.getString("iss")).isEqualTo("xredline");
    assertThat(access.getString("aud")).isEqualTo("xredline");
    assertThat(access.getLong("exp") - access.getLong("iat")).isEqualTo(900);
    assertThat(claims(tokens.getString("refresh_token")).getString("typ")).isEqualTo("refresh");

    // tokens and account data never stay in a browser or proxy cache
    HttpResponse<String> byName = login(app, username, PASSWORD);
    assertThat(byName.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonObject fresh = remember(json(byName));
    assertThat(app.get(AUTH + "/me", bearer(fresh)).headers().firstValue("Cache-Control")).hasValue("no-store");
    tokens(app, mail.toUpperCase());
    tokens(app, "13700001234");
    tokens(app, "+8613700001234");
    assertThat(logins("success") - before).isEqualTo(5);
  }

  @Test
  @DisplayName("unknown user and wrong password: the same 401 INVALID_CREDENTIALS, and both pay for a hash")
  void noEnumeration() {
    String username = newUser(app);
    long wrong = 0;
    long unknown = 0;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> w = login(app, username, "Wrong-Password-1");
      wrong += System.nanoTime() - t0;
      t0 = System.nanoTime();
      HttpResponse<String> u = login(app, uniqueName("ghost"), "Wrong-Password-1");
      unknown += System.nanoTime() - t0;
      assertError(w, 401, "INVALID_CREDENTIALS");
      assertError(u, 401, "INVALID_CREDENTIALS");
      assertThat(json(u).getString("message")).isEqualTo(json(w).getString("message"));
      if (i == 1) {
        // stay below the limit of 3
        tokens(app, username);
      }
    }
    // an unknown name costs a full argon2id hash too, not a fast "no such user"
    assertThat((double) unknown).isGreaterThan(wrong * 0.5);
  }

  @Test
  @DisplayName("field checks: missing/empty/wrong-typed username or password → 400 VALIDATION_FAILED with the field")
  void fieldChecks() {
    HttpResponse<String> noUser = postJson(app, AUTH + "/login", loginBody(app, "x", PASSWORD).putNull("username"));
    assertError(noUser, 400, "VALIDATION_FAILED");
    assertThat(json(noUser).getJsonObject("metadata").getString("field")).isEqualTo("username");
    HttpResponse<String> noPassword = postJson(app, AUTH + "/login", loginBody(app, "someone", ""));
    assertError(noPassword, 400, "VALIDATION_FAILED");
    assertThat(json(noPassword).getJsonObject("metadata").getString("field")).isEqualTo("password");
    assertError(postJson(app, AUTH + "/login", loginBody(app, "someone", PASSWORD).put("password", List.of("a"))), 400,
        "VALIDATION_FAILED");
    assertError(postJson(app, AUTH + "/login", loginBody(app, "x".repeat(2000), PASSWORD)), 400, "VALIDATION_FAILED");
    assertError(postJson(app, AUTH + "/login", new JsonObject().put("username", "a").put("password", "b")), 400,
        "CAPTCHA_REQUIRED");
    assertError(app.post(AUTH + "/login", "application/json", ""), 400, "BAD_REQUEST");
    assertError(login(app, "' OR 1=1 --", "' OR '1'='1"), 401, "INVALID_CREDENTIALS");
  }

  @Test
  @DisplayName("a wrong captcha → CAPTCHA_INVALID and is not a failed attempt; success resets the (name, address) count")
  void wrongCaptchaDoesNotCount() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    for (int i = 0; i < 4; i++) {
      assertError(postJson(app, AUTH + "/login", loginBody(app, username, "Wrong-Password-1").put("captcha_code", "BAD123")),
          400, "CAPTCHA_INVALID");
    }
    assertError(login(app, username, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
    assertThat(lockStatus(app, tokens, username).getInteger("failed_attempts")).isEqualTo(1);
    assertError(login(app, username, "Wrong-Password-2"), 401, "INVALID_CREDENTIALS");
    tokens(app, username);
    // without the reset these would be failures 3 and 4 of the pair: the first of them would lock (limit 3)
    assertError(login(app, username, "Wrong-Password-3"), 401, "INVALID_CREDENTIALS");
    assertError(login(app, username, "Wrong-Password-4"), 401, "INVALID_CREDENTIALS");
    // the account window counts on: success does not erase failures for the account-wide cap
    assertThat(lockStatus(app, tokens, username).getInteger("failed_attempts")).isEqualTo(4);
    tokens(app, username);
  }

  @Test
  @DisplayName("lockout at exactly max_login_attempts (3): 401, 401, then 403 ACCOUNT_LOCKED with unlock_time; asking changes nothing")
  void lockoutAndRelease() throws Exception {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    double lockoutsBefore = lockouts();
    assertError(login(app, username, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
    assertError(login(app, username, "Wrong-Password-2"), 401, "INVALID_CREDENTIALS");
    Instant before = Instant.now();
    HttpResponse<String> third = login(app, username, "Wrong-Password-3");
    Instant after = Instant.now();
    assertError(third, 403, "ACCOUNT_LOCKED");
    Instant unlock = Instant.parse(json(third).getJsonObject("metadata").getString("unlock_time"));
    // lock_duration (an hour: no step of this test can outlast it) after the moment the lock was
    // taken, which lies between before and after; rounded up to a whole second
    assertThat(unlock).isBetween(before.plus(Duration.ofHours(1)).minusMillis(1), after.plus(Duration.ofHours(1)).plusSeconds(1));
    assertThat(lockouts() - lockoutsBefore).isEqualTo(1);

    // locked: even the right password is refused, and the captcha is not consumed
    JsonObject attempt = loginBody(app, username, PASSWORD);
    assertError(postJson(app, AUTH + "/login", attempt), 403, "ACCOUNT_LOCKED");
    assertThat(postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", attempt.getString("captcha_id"))
        .put("captcha_code", CAPTCHA_CODE)).statusCode()).as("captcha survived the locked attempt").isEqualTo(200);

    JsonObject status = lockStatus(app, tokens, username);
    assertThat(status.getBoolean("locked")).isTrue();
    assertThat(status.getInteger("failed_attempts")).isEqualTo(3);
    assertThat(status.getInteger("max_attempts")).isEqualTo(3);
    assertThat(status.getInteger("locked_pairs")).as("one (name, address) pair").isEqualTo(1);
    assertThat(status.getBoolean("account_locked")).isFalse();
    assertThat(status.getInteger("account_max_attempts")).isEqualTo(100);
    assertThat(Instant.parse(status.getString("unlock_time"))).isBetween(unlock.minusSeconds(1), unlock.plusSeconds(1));
    JsonObject again = lockStatus(app, tokens, username);
    assertThat(again.copy().put("unlock_time", "")).as("asking never resets").isEqualTo(status.copy().put("unlock_time", ""));
    // unlock_time is now + the lock's remaining TTL, rounded to a second: asking again may land on the next one
    assertThat(Instant.parse(again.getString("unlock_time"))).as("asking never extends")
        .isBetween(unlock.minusSeconds(1), unlock.plusSeconds(1));

  }

  @Test
  @DisplayName("a pair lock ends after lock_duration: lock-status says so, the owner signs in, the pair's count starts again")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void releasedAfterLockDuration() {
    // its own instance with a 1 s lock; nothing here asserts that the lock is still there, only
    // that it goes, so a slow machine cannot outrun it
    try (TestApp shortLock = TestApp.start("authrelease", overrides("auth.max_login_attempts", "3", "auth.lock_duration", "1s"))) {
      String username = newUser(shortLock);
      JsonObject tokens = tokens(shortLock, username);
      assertError(login(shortLock, username, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
      assertError(login(shortLock, username, "Wrong-Password-2"), 401, "INVALID_CREDENTIALS");
      assertError(login(shortLock, username, "Wrong-Password-3"), 403, "ACCOUNT_LOCKED");
      JsonObject released = Eventually.value("the lock released after lock_duration",
          () -> lockStatus(shortLock, tokens, username), st -> !st.getBoolean("locked"));
      assertThat(released.getValue("unlock_time")).isNull();
      assertThat(released.getInteger("locked_pairs")).isZero();
      assertThat(released.getInteger("failed_attempts")).as("still in the account window").isEqualTo(3);
      tokens(shortLock, username);
      // the pair's count started again: two failures do not lock
      assertError(login(shortLock, username, "Wrong-Password-4"), 401, "INVALID_CREDENTIALS");
      assertError(login(shortLock, username, "Wrong-Password-5"), 401, "INVALID_CREDENTIALS");
    }
  }

  @Test
  @DisplayName("names that match no account lock the same way (the response cannot tell them apart)")
  void unknownNamesLockToo() {
    String ghost = uniqueName("ghost");
    assertError(login(app, ghost, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
    assertError(login(app, ghost, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
    assertError(login(app, ghost, "Wrong-Password-1"), 403, "ACCOUNT_LOCKED");
  }

  @Test
  @DisplayName("20 parallel wrong passwords across two instances (shared PostgreSQL + Redis): exactly 5 evaluated, lock at the 5th")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts two more service instances: beyond 30 s when both cores are busy
  void lockoutAcrossTwoInstances() throws Exception {
    String prefix = TestBackends.freshKeyPrefix("twoinst");
    // a lock that outlasts the burst on any machine: with a short one, a slow run saw it expire
    // mid-burst and count four more failures
    Map<String, String> shared = overrides("auth.max_login_attempts", "5", "auth.lock_duration", "1h",
        "data.redis.key_prefix", prefix);
    try (TestApp a = TestApp.start("authtwoinst", shared)) {
      shared.put("data.database.url", a.databaseUrl());
      try (TestApp b = TestApp.start("authtwoinst", shared)) {
        String username = newUser(a);
        List<JsonObject> lockoutEvents = new CopyOnWriteArrayList<>();
        for (TestApp instance : List.of(a, b)) {
          instance.app().vertx().eventBus().<JsonObject>consumer(AuthApi.EVENTS_PREFIX + "lockout",
              m -> lockoutEvents.add(m.body()));
        }
        double verifiedBefore = verifications(a) + verifications(b);
        List<JsonObject> bodies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          bodies.add(loginBody(i % 2 == 0 ? a : b, username, "Wrong-Password-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<HttpResponse<String>>> results = new ArrayList<>();
        try {
          for (int i = 0; i < 20; i++) {
            TestApp target = i % 2 == 0 ? a : b;
            JsonObject body = bodies.get(i);
            results.add(pool.submit((Callable<HttpResponse<String>>) () -> postJson(target, AUTH + "/login", body)));
          }
          int unauthorized = 0;
          int locked = 0;
          for (Future<HttpResponse<String>> f : results) {
            HttpResponse<String> r = f.get();
            String reason = json(r).getString("reason");
            if ("INVALID_CREDENTIALS".equals(reason)) {
              unauthorized++;
            } else {
              assertError(r, 403, "ACCOUNT_LOCKED");
              locked++;
            }
          }
          assertThat(unauthorized).as("failures before the lock").isEqualTo(4);
          assertThat(locked).isEqualTo(16);
          assertThat(verifications(a) + verifications(b) - verifiedBefore).as("passwords evaluated on both instances")
              .isEqualTo(5);
        } finally {
          pool.shutdownNow();
        }
        // every lockout event was published before its response was sent; a marker published now
        // reaches each consumer after them, so once both markers are in, the count is final
        for (TestApp instance : List.of(a, b)) {
          instance.app().vertx().eventBus().publish(AuthApi.EVENTS_PREFIX + "lockout", new JsonObject().put("marker", true));
        }
        Eventually.await("both markers delivered",
            () -> lockoutEvents.stream().filter(e -> e.getBoolean("marker", false)).count() == 2);
        List<JsonObject> lockouts = lockoutEvents.stream().filter(e -> !e.getBoolean("marker", false)).toList();
        assertThat(lockouts).as("exactly one lockout event across both instances").hasSize(1);
        assertThat(lockouts.get(0).getString("username")).isEqualTo(username);
      }
    }
  }

  @Test
  @DisplayName("lock-status: self yes; another account → 403 FORBIDDEN; admin → anyone, unknown → 404; no token → 401")
  void lockStatusAccess() {
    String alice = newUser(app);
    String bob = newUser(app);
    String admin = newUser(app);
    TestBackends.execute(app.databaseUrl(), "UPDATE users SET roles = '{admin,user}' WHERE username = '" + admin + "'");
    JsonObject aliceTokens = tokens(app, alice);
    JsonObject adminTokens = tokens(app, admin);
    assertThat(lockStatus(app, aliceTokens, alice.toUpperCase()).getBoolean("locked")).isFalse();
    assertError(app.get(AUTH + "/lock-status/" + bob, bearer(aliceTokens)), 403, "FORBIDDEN");
    assertThat(lockStatus(app, adminTokens, bob).getInteger("max_attempts")).isEqualTo(3);
    assertError(app.get(AUTH + "/lock-status/nobody_here", bearer(adminTokens)), 404, "NOT_FOUND");
    assertError(app.get(AUTH + "/lock-status/" + bob), 401, "TOKEN_MISSING");

    String[] auth = {"authorization", "Bearer " + aliceTokens.getString("access_token")};
    GrpcCalls.Result<LockStatusReply> self = grpc(calls, "LockStatus",
        LockStatusRequest.newBuilder().setUsername(alice).build(), LockStatusReply.newBuilder(), auth);
    assertThat(self.reply().getMaxAttempts()).isEqualTo(3);
    assertThat(self.reply().getUnlockTime()).isEmpty();
    assertGrpcError(grpc(calls, "LockStatus", LockStatusRequest.newBuilder().setUsername(bob).build(),
        LockStatusReply.newBuilder(), auth), "PERMISSION_DENIED", "FORBIDDEN");
    assertGrpcError(grpc(calls, "LockStatus", LockStatusRequest.newBuilder().setUsername(bob).build(),
        LockStatusReply.newBuilder()), "UNAUTHENTICATED", "TOKEN_MISSING");
  }

  @Test
  @DisplayName("gRPC Login: tokens on success; INVALID_CREDENTIALS → UNAUTHENTICATED; ACCOUNT_LOCKED → PERMISSION_DENIED")
  void grpcLogin() {
    String username = newUser(app);
    LoginRequest.Builder request = LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
        .setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE);
    GrpcCalls.Result<TokenReply> ok = grpc(calls, "Login", request.build(), TokenReply.newBuilder());
    assertThat(ok.reply().getTokenType()).isEqualTo("Bearer");
    SECRETS.add(ok.reply().getAccessToken());
    SECRETS.add(ok.reply().getRefreshToken());
    for (int i = 0; i < 2; i++) {
      assertGrpcError(grpc(calls, "Login", request.setPassword("Wrong-Password-1").setCaptchaId(captcha(app)).build(),
          TokenReply.newBuilder()), "UNAUTHENTICATED", "INVALID_CREDENTIALS");
    }
    assertGrpcError(grpc(calls, "Login", request.setCaptchaId(captcha(app)).build(), TokenReply.newBuilder()),
        "PERMISSION_DENIED", "ACCOUNT_LOCKED");
    assertGrpcError(grpc(calls, "Login", LoginRequest.newBuilder().build(), TokenReply.newBuilder()),
        "INVALID_ARGUMENT", "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("audit: success and failure events carry user id, ip, request id, outcome; an unknown name is masked")
  void auditEvents() throws Exception {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    var bus = app.app().vertx().eventBus();
    var ok = bus.<JsonObject>consumer(AuthApi.EVENTS_PREFIX + "login_success", m -> events.add(m.body()));
    var failed = bus.<JsonObject>consumer(AuthApi.EVENTS_PREFIX + "login_failure", m -> events.add(m.body()));
    try {
      String username = newUser(app);
      postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD), "X-Request-ID", "audit-ok-1");
      postJson(app, AUTH + "/login", loginBody(app, "ghost.user@example.com", "Wrong-Password-1"), "X-Request-ID", "audit-bad-1");
      Eventually.await("both audit events", () -> events.size() >= 2);
      JsonObject success = events.stream().filter(e -> "audit-ok-1".equals(e.getString("request_id"))).findFirst().orElseThrow();
      assertThat(success.getString("username")).isEqualTo(username);
      assertThat(success.getLong("user_id")).isPositive();
      assertThat(success.getString("ip")).isEqualTo("127.0.0.1");
      assertThat(success.getString("outcome")).isEqualTo("success");
      assertThat(Instant.parse(success.getString("at"))).isBefore(Instant.now().plusSeconds(1));
      JsonObject failure = events.stream().filter(e -> "audit-bad-1".equals(e.getString("request_id"))).findFirst().orElseThrow();
      assertThat(failure.getString("username")).isEqualTo("gh**@example.com");
      assertThat(failure.getValue("user_id")).isNull();
      assertThat(failure.getString("outcome")).isEqualTo("INVALID_CREDENTIALS");
    } finally {
      ok.unregister();
      failed.unregister();
    }
  }

  @Test
  @DisplayName("raising the argon2 parameters rehashes a password at its next successful login")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void rehashOnLogin() {
    String username = newUser(app);
    try (TestApp stronger = TestApp.start("authrehash", overrides("data.database.url", app.databaseUrl(),
        "auth.password.argon2.memory_kib", "20480", "auth.password.argon2.iterations", "3"))) {
      tokens(stronger, username);
    }
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE username = '" + username
        + "' AND password_hash LIKE '$argon2id$v=19$m=20480,t=3,p=1$%'")).isEqualTo(1);
    tokens(app, username);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE username = '" + username
        + "' AND password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'")).as("and back when lowered").isEqualTo(1);
  }
}
