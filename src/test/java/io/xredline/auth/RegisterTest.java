package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.RegisterReply;
import io.xredline.api.auth.v1.RegisterRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("register: CONTRACT §3 field rules, captcha, uniqueness (also under concurrency) — REST and gRPC")
class RegisterTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("authregister", overrides("server.http.max_body_size", "64KB"));
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static HttpResponse<String> registerAs(String username, String password, String email, String phone) {
    JsonObject body = registration(app, username, password, email);
    if (phone != null) {
      body.put("phone", phone);
    }
    return postJson(app, AUTH + "/register", body);
  }

  private static String email(String stem) {
    return uniqueName(stem).toLowerCase() + "@example.com";
  }

  private static long users(String where) {
    return TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE " + where);
  }

  @Test
  @DisplayName("success: 201 {message, user_id}; the stored hash is argon2id PHC, never the password")
  void success() {
    String username = uniqueName("alice");
    HttpResponse<String> r = registerAs(username, PASSWORD, email("alice"), "13812345678");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject body = json(r);
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("message", "user_id");
    assertThat(body.getLong("user_id")).isPositive();
    assertThat(users("id = " + body.getLong("user_id") + " AND password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'"
        + " AND password_hash NOT LIKE '%" + PASSWORD + "%' AND phone_ciphertext LIKE 'v1:%' AND position('8613812345678' in phone_ciphertext) = 0"
        + " AND octet_length(phone_hmac) = 32 AND roles = '{user}'")).isEqualTo(1);
  }

  @ParameterizedTest(name = "username of length {0}")
  @ValueSource(ints = {3, 32})
  @DisplayName("usernames of 3 and 32 characters are accepted")
  void usernameBoundsAccepted(int length) {
    String username = ("u" + uniqueName("x").replace("_", "") + "abcdefghijklmnopqrstuvwxyz0123456789").substring(0, length);
    assertThat(registerAs(username, PASSWORD, email("len"), null).statusCode()).isEqualTo(201);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "ab", "a234567890123456789012345678901234", "1abc", "_abc", "ab cd", "ab-cd", "jösé",
      "用户名字", "abc\u0000def", "admin'--", "x' OR '1'='1", "Robert');DROP TABLE users;--", "abc😀"})
  @DisplayName("usernames that break ^[A-Za-z][A-Za-z0-9_]{2,31}$ (0/2/34 chars, unicode, SQL) → 400 INVALID_USERNAME")
  void badUsernames(String username) {
    assertError(registerAs(username, PASSWORD, email("bad"), null), 400, "INVALID_USERNAME");
  }

  @Test
  @DisplayName("a 33-character username → INVALID_USERNAME, and nothing was stored for any refused name")
  void thirtyThree() {
    String name = "a".repeat(33);
    assertError(registerAs(name, PASSWORD, email("t33"), null), 400, "INVALID_USERNAME");
    assertThat(users("username = '" + name + "'")).isZero();
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'"))
        .as("the users table survived the injection attempts").isEqualTo(1);
  }

  @Test
  @DisplayName("passwords: 7 chars → PASSWORD_WEAK, 8 and 128 accepted, 129 → PASSWORD_WEAK; unicode counts characters")
  void passwordLengths() {
    assertError(registerAs(uniqueName("p7"), "Xk9#mQ2", email("p7"), null), 400, "PASSWORD_WEAK");
    assertThat(registerAs(uniqueName("p8"), "Xk9#mQ2v", email("p8"), null).statusCode()).isEqualTo(201);
    String p128 = "Zq8v-3LmT9x_Rk2p".repeat(8);
    SECRETS.add(p128);
    assertThat(registerAs(uniqueName("p128"), p128, email("p128"), null).statusCode()).isEqualTo(201);
    assertError(registerAs(uniqueName("p129"), p128 + "x", email("p129"), null), 400, "PASSWORD_WEAK");
    assertThat(registerAs(uniqueName("pemoji"), "密码很安全😀🔒🎉", email("pemoji"), null).statusCode())
        .as("8 unicode characters (some outside the BMP)").isEqualTo(201);
    assertError(registerAs(uniqueName("pempty"), "", email("pempty"), null), 400, "PASSWORD_WEAK");
  }

  @Test
  @DisplayName("a password from the bundled common list (any case) or equal to the username → PASSWORD_WEAK")
  void weakPasswords() {
    assertThat(CommonPasswords.size()).isGreaterThanOrEqualTo(10_000);
    assertError(registerAs(uniqueName("c1"), "password123", email("c1"), null), 400, "PASSWORD_WEAK");
    assertError(registerAs(uniqueName("c2"), "QWERTYUIOP", email("c2"), null), 400, "PASSWORD_WEAK");
    assertError(registerAs(uniqueName("c3"), "sunshine", email("c3"), null), 400, "PASSWORD_WEAK");
    String username = uniqueName("Same");
    assertError(registerAs(username, username.toUpperCase(), email("c4"), null), 400, "PASSWORD_WEAK");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "plain", "a@b", "a b@example.com", "@example.com", "a@.com", "a@example..com",
      "a@example.com' OR '1'='1", "\"><script>@x.com"})
  @DisplayName("invalid emails → 400 INVALID_EMAIL")
  void badEmails(String email) {
    assertError(registerAs(uniqueName("e"), PASSWORD, email, null), 400, "INVALID_EMAIL");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"12345", "1381234567", "23812345678", "+0123456789", "+86 138 1234 5678", "phone"})
  @DisplayName("invalid phones → 400 INVALID_PHONE (neither E.164 nor an 11-digit CN mobile)")
  void badPhones(String phone) {
    assertError(registerAs(uniqueName("ph"), PASSWORD, email("ph"), phone), 400, "INVALID_PHONE");
  }

  @Test
  @DisplayName("field checks come before the captcha: a bad field with a wrong captcha reports the field")
  void fieldsBeforeCaptcha() {
    JsonObject body = registration(app, "1bad", PASSWORD, email("order")).put("captcha_code", "WRONG1");
    assertError(postJson(app, AUTH + "/register", body), 400, "INVALID_USERNAME");
  }

  @Test
  @DisplayName("captcha problems: missing both/id/code, wrong code, spent captcha")
  void captchaProblems() {
    JsonObject base = new JsonObject().put("username", uniqueName("cap")).put("password", PASSWORD).put("email", email("cap"));
    assertError(postJson(app, AUTH + "/register", base.copy()), 400, "CAPTCHA_REQUIRED");
    assertError(postJson(app, AUTH + "/register", base.copy().put("captcha_code", CAPTCHA_CODE)), 400, "CAPTCHA_ID_REQUIRED");
    assertError(postJson(app, AUTH + "/register", base.copy().put("captcha_id", captcha(app))), 400, "CAPTCHA_CODE_REQUIRED");
    assertError(postJson(app, AUTH + "/register", base.copy().put("captcha_id", captcha(app)).put("captcha_code", "NOPE99")),
        400, "CAPTCHA_INVALID");
    String id = captcha(app);
    assertThat(postJson(app, AUTH + "/register", base.copy().put("captcha_id", id).put("captcha_code", CAPTCHA_CODE))
        .statusCode()).isEqualTo(201);
    assertError(postJson(app, AUTH + "/register", base.copy().put("username", uniqueName("cap2")).put("email", email("cap2"))
        .put("captcha_id", id).put("captcha_code", CAPTCHA_CODE)), 400, "CAPTCHA_EXPIRED");
  }

  @Test
  @DisplayName("uniqueness, case-insensitive: USER_EXISTS, EMAIL_EXISTS, PHONE_EXISTS (CN number in both spellings) → 409")
  void uniqueness() {
    String username = uniqueName("Bob");
    String mail = email("bob");
    assertThat(registerAs(username, PASSWORD, mail, "13900001111").statusCode()).isEqualTo(201);
    assertError(registerAs(username.toUpperCase(), PASSWORD, email("other"), null), 409, "USER_EXISTS");
    assertError(registerAs(uniqueName("bob2"), PASSWORD, mail.toUpperCase(), null), 409, "EMAIL_EXISTS");
    assertError(registerAs(uniqueName("bob3"), PASSWORD, email("b3"), "+8613900001111"), 409, "PHONE_EXISTS");
  }

  @Test
  @DisplayName("exactly one of 12 parallel identical registrations succeeds; the rest get 409 USER_EXISTS")
  void parallelIdentical() throws Exception {
    String username = uniqueName("race");
    String mail = email("race");
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      bodies.add(registration(app, username, PASSWORD, mail));
    }
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<HttpResponse<String>>> results = new ArrayList<>();
      for (JsonObject body : bodies) {
        results.add(pool.submit((Callable<HttpResponse<String>>) () -> postJson(app, AUTH + "/register", body)));
      }
      int created = 0;
      for (Future<HttpResponse<String>> f : results) {
        HttpResponse<String> r = f.get();
        if (r.statusCode() == 201) {
          created++;
        } else {
          assertError(r, 409, json(r).getString("reason"));
          assertThat(json(r).getString("reason")).isIn("USER_EXISTS", "EMAIL_EXISTS");
        }
      }
      assertThat(created).isEqualTo(1);
      assertThat(users("lower(username) = lower('" + username + "')")).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("bodies: empty, malformed, array, wrong types, nested objects, huge → 400/413/415, never 500")
  void badBodies() {
    assertError(app.post(AUTH + "/register", "application/json", ""), 400, "BAD_REQUEST");
    assertError(app.post(AUTH + "/register", "application/json", "{\"username\":"), 400, "BAD_REQUEST");
    assertError(app.post(AUTH + "/register", "application/json", "[]"), 400, "BAD_REQUEST");
    assertError(app.post(AUTH + "/register", "application/json", "null"), 400, "BAD_REQUEST");
    assertError(app.post(AUTH + "/register", "text/plain", "username=a"), 415, "UNSUPPORTED_MEDIA_TYPE");
    HttpResponse<String> wrongType = postJson(app, AUTH + "/register",
        registration(app, uniqueName("t"), PASSWORD, email("t")).put("username", 12345));
    assertError(wrongType, 400, "VALIDATION_FAILED");
    assertThat(json(wrongType).getJsonObject("metadata").getString("field")).isEqualTo("username");
    HttpResponse<String> injected = postJson(app, AUTH + "/register",
        registration(app, uniqueName("t"), PASSWORD, email("t")).put("password", new JsonObject().put("$ne", "")));
    assertError(injected, 400, "VALIDATION_FAILED");
    assertThat(json(injected).getJsonObject("metadata").getString("field")).isEqualTo("password");
    assertError(postJson(app, AUTH + "/register", registration(app, uniqueName("t"), PASSWORD, email("t"))
        .put("phone", true)), 400, "VALIDATION_FAILED");
    assertError(postJson(app, AUTH + "/register", new JsonObject().put("password", PASSWORD).put("email", email("m"))
        .put("captcha_id", captcha(app)).put("captcha_code", CAPTCHA_CODE)), 400, "INVALID_USERNAME");
    assertError(postJson(app, AUTH + "/register", registration(app, uniqueName("m"), PASSWORD, null)), 400, "INVALID_EMAIL");
    String huge = "{\"username\":\"" + "a".repeat(70 * 1024) + "\"}";
    assertError(app.post(AUTH + "/register", "application/json", huge), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  @DisplayName("extra fields are ignored: \"roles\":[\"admin\"] does not make an admin")
  void extraFieldsIgnored() {
    String username = uniqueName("mass");
    HttpResponse<String> r = postJson(app, AUTH + "/register", registration(app, username, PASSWORD, email("mass"))
        .put("roles", List.of("admin")).put("totp_enabled", true).put("id", 1));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(users("username = '" + username + "' AND roles = '{user}' AND NOT totp_enabled")).isEqualTo(1);
  }

  @Test
  @DisplayName("gRPC Register: success and the same reasons as REST (INVALID_ARGUMENT / ALREADY_EXISTS)")
  void grpcRegister() {
    String username = uniqueName("grpc");
    RegisterRequest.Builder ok = RegisterRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
        .setEmail(email("grpc")).setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE);
    GrpcCalls.Result<RegisterReply> created = grpc(calls, "Register", ok.build(), RegisterReply.newBuilder());
    assertThat(created.status().name()).isEqualTo("OK");
    assertThat(created.reply().getUserId()).isPositive();
    assertThat(created.reply().getMessage()).isEqualTo("registered");
    assertGrpcError(grpc(calls, "Register", ok.setCaptchaId(captcha(app)).setEmail(email("g2")).build(),
        RegisterReply.newBuilder()), "ALREADY_EXISTS", "USER_EXISTS");
    assertGrpcError(grpc(calls, "Register", ok.setUsername("").setCaptchaId(captcha(app)).build(), RegisterReply.newBuilder()),
        "INVALID_ARGUMENT", "INVALID_USERNAME");
    assertGrpcError(grpc(calls, "Register", ok.setUsername(uniqueName("g")).setPassword("short").setCaptchaId(captcha(app))
        .build(), RegisterReply.newBuilder()), "INVALID_ARGUMENT", "PASSWORD_WEAK");
    assertGrpcError(grpc(calls, "Register", ok.setPassword(PASSWORD).setPhone("123").setCaptchaId(captcha(app)).build(),
        RegisterReply.newBuilder()), "INVALID_ARGUMENT", "INVALID_PHONE");
    assertGrpcError(grpc(calls, "Register", ok.setPhone("").setCaptchaId("").setCaptchaCode("").build(),
        RegisterReply.newBuilder()), "INVALID_ARGUMENT", "CAPTCHA_REQUIRED");
  }
}
