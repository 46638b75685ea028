package io.xredline.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.LoginRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.TokenReply;
import io.xredline.api.auth.v1.TotpDisableRequest;
import io.xredline.api.auth.v1.TotpSetupReply;
import io.xredline.api.auth.v1.TotpSetupRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 point 4: TOTP changes need fresh proof (setup: the password; disable: the password and a
 * TOTP or recovery code), every wrong one is a failed attempt, and enable answers 10 single-use
 * recovery codes that sign-in accepts in place of a TOTP code.
 */
@DisplayName("TOTP changes need fresh proof; recovery codes are single-use and stored hashed — REST and gRPC")
class TotpChangesTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("totpchanges", overrides("auth.max_login_attempts", "3"));
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static String code(byte[] secret, long stepOffset) {
    String code = Totp.code(secret, Totp.step(Instant.now().getEpochSecond()) + stepOffset);
    SECRETS.add("totp_code=" + code);
    return code;
  }

  private static HttpResponse<String> setup(JsonObject tokens, String password) {
    return postJson(app, AUTH + "/totp/setup", password == null ? new JsonObject() : new JsonObject().put("password", password),
        bearer(tokens));
  }

  private record Enabled(byte[] secret, List<String> recoveryCodes) {
  }

  private static Enabled enable(JsonObject tokens) {
    HttpResponse<String> setup = setup(tokens, PASSWORD);
    assertThat(setup.statusCode()).as(setup.body()).isEqualTo(200);
    SECRETS.add(json(setup).getString("secret"));
    byte[] secret = Totp.fromBase32(json(setup).getString("secret"));
    HttpResponse<String> enabled = postJson(app, AUTH + "/totp/enable", new JsonObject().put("totp_code", code(secret, 0)),
        bearer(tokens));
    assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
    JsonArray codes = json(enabled).getJsonArray("recovery_codes");
    List<String> list = codes.stream().map(String::valueOf).toList();
    SECRETS.addAll(list);
    return new Enabled(secret, list);
  }

  private static HttpResponse<String> loginWith(String username, String field, String code) {
    return postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put(field, code));
  }

  private static HttpResponse<String> disable(JsonObject tokens, JsonObject body) {
    return postJson(app, AUTH + "/totp/disable", body, bearer(tokens));
  }

  private static long userId(String username) {
    return TestBackends.count(app.databaseUrl(), "SELECT id FROM users WHERE username = '" + username + "'");
  }

  @Test
  @DisplayName("setup: no password → 401 REAUTHENTICATION_REQUIRED (not counted); wrong → 400 PASSWORD_INCORRECT (counted); the 3rd wrong → ACCOUNT_LOCKED")
  void setupNeedsThePassword() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    assertError(setup(tokens, null), 401, "REAUTHENTICATION_REQUIRED");
    assertError(app.post(AUTH + "/totp/setup", null, "", bearer(tokens)), 401, "REAUTHENTICATION_REQUIRED");
    assertError(setup(tokens, "Wrong-Password-1"), 400, "PASSWORD_INCORRECT");
    assertThat(json(app.get(AUTH + "/lock-status/" + username, bearer(tokens))).getInteger("failed_attempts")).isEqualTo(1);
    assertError(setup(tokens, "Wrong-Password-2"), 400, "PASSWORD_INCORRECT");
    assertError(setup(tokens, "Wrong-Password-3"), 403, "ACCOUNT_LOCKED");
    assertError(setup(tokens, PASSWORD), 403, "ACCOUNT_LOCKED");
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE id = " + userId(username)
        + " AND totp_secret_ciphertext IS NULL")).as("nothing staged").isEqualTo(1);
  }

  @Test
  @DisplayName("enable answers 10 distinct xxxx-xxxx recovery codes, once; the database holds only their SHA-256 digests")
  void enableAnswersRecoveryCodes() {
    String username = newUser(app);
    Enabled enabled = enable(tokens(app, username));
    assertThat(enabled.recoveryCodes()).hasSize(10).allMatch(c -> c.matches("[a-z0-9]{4}-[a-z0-9]{4}"));
    assertThat(new HashSet<>(enabled.recoveryCodes())).hasSize(10);
    long id = userId(username);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM totp_recovery_codes WHERE user_id = " + id
        + " AND used_at IS NULL AND code_hash ~ '^[0-9a-f]{64}$'")).isEqualTo(10);
    for (String c : enabled.recoveryCodes()) {
      assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM totp_recovery_codes WHERE position('" + c
          + "' in code_hash) > 0")).isZero();
    }
  }

  @Test
  @DisplayName("login takes a recovery_code instead of a totp_code (any case, dash optional) and spends it; a spent or wrong one → TOTP_INVALID, counted")
  void loginWithRecoveryCode() {
    String username = newUser(app);
    Enabled enabled = enable(tokens(app, username));
    String first = enabled.recoveryCodes().get(0);
    HttpResponse<String> ok = loginWith(username, "recovery_code", first.toUpperCase().replace("-", ""));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    JsonObject tokens = remember(json(ok));
    assertError(loginWith(username, "recovery_code", first), 401, "TOTP_INVALID");
    assertError(loginWith(username, "recovery_code", "zzzz-zzzz"), 401, "TOTP_INVALID");
    assertThat(json(app.get(AUTH + "/lock-status/" + username, bearer(tokens))).getInteger("failed_attempts")).isEqualTo(2);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM totp_recovery_codes WHERE user_id = "
        + userId(username) + " AND used_at IS NOT NULL")).isEqualTo(1);

    GrpcCalls.Result<TokenReply> grpcLogin = grpc(calls, "Login", LoginRequest.newBuilder().setUsername(username)
        .setPassword(PASSWORD).setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE)
        .setRecoveryCode(enabled.recoveryCodes().get(1)).build(), TokenReply.newBuilder());
    assertThat(grpcLogin.reply().getAccessToken()).as(grpcLogin.message()).isNotEmpty();
    SECRETS.add(grpcLogin.reply().getAccessToken());
    SECRETS.add(grpcLogin.reply().getRefreshToken());
  }

  @Test
  @DisplayName("disable: no password or no code → REAUTHENTICATION_REQUIRED; wrong password → PASSWORD_INCORRECT; wrong code → TOTP_INVALID; password + TOTP code → off")
  void disableNeedsPasswordAndCode() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    Enabled enabled = enable(tokens);
    assertError(disable(tokens, new JsonObject().put("totp_code", code(enabled.secret(), 1))), 401, "REAUTHENTICATION_REQUIRED");
    assertError(disable(tokens, new JsonObject().put("password", PASSWORD)), 401, "REAUTHENTICATION_REQUIRED");
    assertError(disable(tokens, new JsonObject().put("password", "Wrong-Password-1").put("totp_code", code(enabled.secret(), 1))),
        400, "PASSWORD_INCORRECT");
    String wrong = code(enabled.secret(), 1).equals("000000") ? "111111" : "000000";
    assertError(disable(tokens, new JsonObject().put("password", PASSWORD).put("totp_code", wrong)), 401, "TOTP_INVALID");
    assertThat(json(app.get(AUTH + "/me", bearer(tokens))).getBoolean("totp_enabled")).isTrue();
    HttpResponse<String> off = disable(tokens, new JsonObject().put("password", PASSWORD).put("totp_code", code(enabled.secret(), 1)));
    assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
    assertThat(json(app.get(AUTH + "/me", bearer(tokens))).getBoolean("totp_enabled")).isFalse();
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM totp_recovery_codes WHERE user_id = "
        + userId(username))).as("the recovery codes are gone").isZero();
  }

  @Test
  @DisplayName("gRPC: TotpSetup needs the password; TotpDisable takes the password and a recovery code")
  void grpcWithRecoveryCode() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    String[] auth = {"authorization", "Bearer " + tokens.getString("access_token")};
    assertGrpcError(grpc(calls, "TotpSetup", TotpSetupRequest.getDefaultInstance(), TotpSetupReply.newBuilder(), auth),
        "UNAUTHENTICATED", "REAUTHENTICATION_REQUIRED");
    Enabled enabled = enable(tokens);
    assertGrpcError(grpc(calls, "TotpDisable", TotpDisableRequest.newBuilder().setPassword("Wrong-Password-1")
        .setRecoveryCode(enabled.recoveryCodes().get(3)).build(), SuccessReply.newBuilder(), auth),
        "INVALID_ARGUMENT", "PASSWORD_INCORRECT");
    GrpcCalls.Result<SuccessReply> off = grpc(calls, "TotpDisable", TotpDisableRequest.newBuilder().setPassword(PASSWORD)
        .setRecoveryCode(enabled.recoveryCodes().get(3)).build(), SuccessReply.newBuilder(), auth);
    assertThat(off.reply().getSuccess()).as(off.message()).isTrue();
    tokens(app, username);
  }
}
