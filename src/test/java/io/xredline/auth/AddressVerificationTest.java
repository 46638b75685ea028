package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.MeReply;
import io.xredline.api.auth.v1.MeRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.VerifyCodeRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 point 2: {@code email_verified}/{@code phone_verified} are stored and shown in /me; a code
 * sent to the account's own address (and only that one) proves it; a changed address is unproven.
 */
@DisplayName("email and phone verification with target-bound codes; a changed address is unverified — REST and gRPC")
class AddressVerificationTest extends AuthTestBase {
  private static final AtomicLong PHONES = new AtomicLong(System.nanoTime() % 10_000_000);
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("verify", overrides());
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static void send(String type, String target) {
    HttpResponse<String> r = app.get(AUTH + "/captcha?captcha_type=" + type + "&target=" + target.replace("+", "%2B"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static HttpResponse<String> verify(String channel, JsonObject tokens, String code) {
    return postJson(app, AUTH + "/" + channel + "/verify", new JsonObject().put("code", code), bearer(tokens));
  }

  private static JsonObject me(JsonObject tokens) {
    return json(app.get(AUTH + "/me", bearer(tokens)));
  }

  @Test
  @DisplayName("a fresh account is unverified; the code sent to its own email verifies it, once; wrong → CODE_INVALID, none → CODE_EXPIRED")
  void email() {
    String username = newUser(app);
    String email = username.toLowerCase() + "@example.com";
    JsonObject tokens = tokens(app, username);
    assertThat(me(tokens).getBoolean("email_verified")).isFalse();
    assertThat(me(tokens).getBoolean("phone_verified")).isFalse();
    assertError(verify("email", tokens, CAPTCHA_CODE), 400, "CODE_EXPIRED");
    assertError(postJson(app, AUTH + "/email/verify", new JsonObject(), bearer(tokens)), 400, "VALIDATION_FAILED");
    send("email", email.toUpperCase());
    assertError(verify("email", tokens, "000000"), 400, "CODE_INVALID");
    HttpResponse<String> ok = verify("email", tokens, CAPTCHA_CODE);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(me(tokens).getBoolean("email_verified")).isTrue();
    assertError(verify("email", tokens, CAPTCHA_CODE), 400, "CODE_EXPIRED");
  }

  @Test
  @DisplayName("a code sent to another address proves nothing here; neither does a code that went to this address for another account's check")
  void boundToItsTarget() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    send("email", "someone-else@example.com");
    assertError(verify("email", tokens, CAPTCHA_CODE), 400, "CODE_EXPIRED");
    assertThat(me(tokens).getBoolean("email_verified")).isFalse();
  }

  @Test
  @DisplayName("phone: the sms code sent to the account's phone (either spelling) verifies it; no phone → 400 BAD_REQUEST")
  void phone() {
    String username = uniqueName("ph");
    String phone = "+86137" + String.format("%08d", PHONES.incrementAndGet() % 100_000_000);
    assertThat(postJson(app, AUTH + "/register", registration(app, username, PASSWORD, username.toLowerCase() + "@example.com")
        .put("phone", phone)).statusCode()).isEqualTo(201);
    JsonObject tokens = tokens(app, username);
    send("sms", phone.substring(3));
    assertThat(verify("phone", tokens, CAPTCHA_CODE).statusCode()).isEqualTo(200);
    assertThat(me(tokens).getBoolean("phone_verified")).isTrue();
    assertThat(me(tokens).getBoolean("email_verified")).isFalse();
    assertError(verify("phone", tokens(app, newUser(app)), CAPTCHA_CODE), 400, "BAD_REQUEST");
  }

  @Test
  @DisplayName("changing the address clears its flag, on whatever path sets it (a database trigger); an unchanged address keeps it")
  void changedAddressIsUnverified() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    send("email", username.toLowerCase() + "@example.com");
    assertThat(verify("email", tokens, CAPTCHA_CODE).statusCode()).isEqualTo(200);
    TestBackends.execute(app.databaseUrl(), "UPDATE users SET email = upper(email) WHERE username = '" + username + "'");
    assertThat(me(tokens).getBoolean("email_verified")).as("same address, other case").isTrue();
    TestBackends.execute(app.databaseUrl(), "UPDATE users SET email = 'moved-" + username.toLowerCase()
        + "@example.com' WHERE username = '" + username + "'");
    assertThat(me(tokens).getBoolean("email_verified")).isFalse();
  }

  @Test
  @DisplayName("gRPC VerifyEmail, and Me carries both flags")
  void grpc() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    String[] auth = {"authorization", "Bearer " + tokens.getString("access_token")};
    assertGrpcError(grpc(calls, "VerifyEmail", VerifyCodeRequest.newBuilder().setCode(CAPTCHA_CODE).build(),
        SuccessReply.newBuilder(), auth), "INVALID_ARGUMENT", "CODE_EXPIRED");
    send("email", username.toLowerCase() + "@example.com");
    GrpcCalls.Result<SuccessReply> ok = grpc(calls, "VerifyEmail", VerifyCodeRequest.newBuilder().setCode(CAPTCHA_CODE).build(),
        SuccessReply.newBuilder(), auth);
    assertThat(ok.reply().getSuccess()).as(ok.message()).isTrue();
    GrpcCalls.Result<MeReply> me = grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), auth);
    assertThat(me.reply().getEmailVerified()).isTrue();
    assertThat(me.reply().getPhoneVerified()).isFalse();
  }
}
