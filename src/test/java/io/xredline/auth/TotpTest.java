package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.TotpCodeRequest;
import io.xredline.api.auth.v1.TotpDisableRequest;
import io.xredline.api.auth.v1.TotpEnableReply;
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

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("TOTP: setup, enable, login with a second factor, replay refused, disable — REST and gRPC")
class TotpTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("authtotp", overrides("auth.max_login_attempts", "3"));
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

  private static HttpResponse<String> totp(String action, JsonObject tokens, String code) {
    return postJson(app, AUTH + "/totp/" + action, new JsonObject().put("totp_code", code), bearer(tokens));
  }

  /** A user with TOTP enabled; returns its secret. */
  private static byte[] enabled(String username, JsonObject tokens) {
    HttpResponse<String> setup = postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens));
    assertThat(setup.statusCode()).as(setup.body()).isEqualTo(200);
    String base32 = json(setup).getString("secret");
    SECRETS.add(base32);
    byte[] secret = Totp.fromBase32(base32);
    HttpResponse<String> enabled = totp("enable", tokens, code(secret, 0));
    assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
    SECRETS.addAll(json(enabled).getJsonArray("recovery_codes").getList());
    return secret;
  }

  @Test
  @DisplayName("setup returns a base32 secret and an otpauth:// URL; the database holds only AES-GCM ciphertext")
  void setup() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    HttpResponse<String> r = postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = json(r);
    String secret = body.getString("secret");
    SECRETS.add(secret);
    assertThat(secret).matches("[A-Z2-7]{32}");
    assertThat(body.getString("otpauth_url")).isEqualTo("otpauth://totp/xredline:" + username + "?secret=" + secret
        + "&issuer=xredline&algorithm=SHA1&digits=6&period=30");
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE username = '" + username
        + "' AND totp_secret_ciphertext LIKE 'v1:%' AND position('" + secret + "' in totp_secret_ciphertext) = 0"
        + " AND NOT totp_enabled")).isEqualTo(1);
    assertThat(json(app.get(AUTH + "/me", bearer(tokens))).getBoolean("totp_enabled")).isFalse();
  }

  @Test
  @DisplayName("enable needs a valid code: missing → VALIDATION_FAILED, wrong → TOTP_INVALID, right → success; twice → 400")
  void enable() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    assertError(totp("enable", tokens, "123456"), 400, "BAD_REQUEST");
    String base32 = json(postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens))).getString("secret");
    SECRETS.add(base32);
    byte[] secret = Totp.fromBase32(base32);
    assertError(postJson(app, AUTH + "/totp/enable", new JsonObject(), bearer(tokens)), 400, "VALIDATION_FAILED");
    String wrong = code(secret, 0).equals("000000") ? "111111" : "000000";
    assertError(totp("enable", tokens, wrong), 401, "TOTP_INVALID");
    HttpResponse<String> enabled = totp("enable", tokens, code(secret, 0));
    assertThat(enabled.statusCode()).isEqualTo(200);
    SECRETS.addAll(json(enabled).getJsonArray("recovery_codes").getList());
    assertThat(json(app.get(AUTH + "/me", bearer(tokens))).getBoolean("totp_enabled")).isTrue();
    assertError(postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens)), 400, "BAD_REQUEST");
  }

  @Test
  @DisplayName("login with TOTP on: no code → TOTP_REQUIRED; a code from the previous step works; reusing it → TOTP_INVALID")
  void loginAndReplay() {
    String username = newUser(app);
    byte[] secret = enabled(username, tokens(app, username));

    assertError(login(app, username, PASSWORD), 401, "TOTP_REQUIRED");
    // the enable call spent the current step; the next step (clock skew allowance) is still fresh
    String next = code(secret, 1);
    HttpResponse<String> ok = postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put("totp_code", next));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    remember(json(ok));
    assertError(postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put("totp_code", next)), 401, "TOTP_INVALID");
    assertError(postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put("totp_code", code(secret, 0))), 401,
        "TOTP_INVALID");
    // the two refused codes were failed attempts: a third failure of any kind locks (limit 3)
    assertError(postJson(app, AUTH + "/login", loginBody(app, username, "Wrong-Password-9").put("totp_code", code(secret, 1))),
        403, "ACCOUNT_LOCKED");
  }

  @Test
  @DisplayName("a wrong TOTP code counts as a failed attempt: the 3rd locks the account")
  void totpFailuresLock() {
    String username = newUser(app);
    byte[] secret = enabled(username, tokens(app, username));
    String wrong = code(secret, 5);
    assertError(postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put("totp_code", wrong)), 401, "TOTP_INVALID");
    assertError(postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put("totp_code", "abcdef")), 401,
        "TOTP_INVALID");
    assertError(postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD).put("totp_code", wrong)), 403,
        "ACCOUNT_LOCKED");
  }

  @Test
  @DisplayName("gRPC TotpSetup/TotpEnable/TotpDisable, and after disable login needs no code")
  void grpcSetupEnableDisable() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    String[] auth = {"authorization", "Bearer " + tokens.getString("access_token")};
    GrpcCalls.Result<TotpSetupReply> setup = grpc(calls, "TotpSetup", TotpSetupRequest.newBuilder().setPassword(PASSWORD)
        .build(), TotpSetupReply.newBuilder(), auth);
    SECRETS.add(setup.reply().getSecret());
    byte[] secret = Totp.fromBase32(setup.reply().getSecret());
    assertGrpcError(grpc(calls, "TotpEnable", TotpCodeRequest.newBuilder().setTotpCode("12345").build(),
        SuccessReply.newBuilder(), auth), "UNAUTHENTICATED", "TOTP_INVALID");
    String enableCode = code(secret, 0);
    GrpcCalls.Result<TotpEnableReply> enabled = grpc(calls, "TotpEnable",
        TotpCodeRequest.newBuilder().setTotpCode(enableCode).build(), TotpEnableReply.newBuilder(), auth);
    assertThat(enabled.reply().getRecoveryCodesList()).hasSize(10);
    SECRETS.addAll(enabled.reply().getRecoveryCodesList());
    assertThat(enabled.reply().getSuccess()).isTrue();
    assertError(login(app, username, PASSWORD), 401, "TOTP_REQUIRED");
    assertGrpcError(grpc(calls, "TotpDisable", TotpDisableRequest.newBuilder().setPassword(PASSWORD).setTotpCode(enableCode).build(),
        SuccessReply.newBuilder(), auth), "UNAUTHENTICATED", "TOTP_INVALID");
    GrpcCalls.Result<SuccessReply> disabled = grpc(calls, "TotpDisable",
        TotpDisableRequest.newBuilder().setPassword(PASSWORD).setTotpCode(code(secret, 1)).build(), SuccessReply.newBuilder(), auth);
    assertThat(disabled.reply().getSuccess()).isTrue();
    tokens(app, username);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE username = '" + username
        + "' AND totp_secret_ciphertext IS NULL AND NOT totp_enabled")).isEqualTo(1);
  }
}
