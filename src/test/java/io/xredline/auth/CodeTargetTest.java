package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.RegisterReply;
import io.xredline.api.auth.v1.RegisterRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §10: an sms/email code proves the address it was sent to, and only that one. Every code
 * here equals the fixed test code; what binds it is the captcha it belongs to.
 */
@DisplayName("codes bound to their target: an emailed/texted code only proves the address it was sent to")
class CodeTargetTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("codetarget", overrides());
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static String code(String type, String target) {
    HttpResponse<String> r = app.get(AUTH + "/captcha?captcha_type=" + type + "&target=" + target.replace("+", "%2B"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).getString("captcha_id");
  }

  private static JsonObject registration(String username, String email, String phone, String captchaId) {
    return new JsonObject().put("username", username).put("password", PASSWORD).put("email", email).put("phone", phone)
        .put("captcha_id", captchaId).put("captcha_code", CAPTCHA_CODE);
  }

  @Test
  @DisplayName("the issue's case: a code sent to me@evil.test does not register ceo@corp.com → 400 CAPTCHA_INVALID; it still registers me@evil.test")
  void crossTargetRegister() {
    String id = code("email", "me@evil.test");
    HttpResponse<String> cross = postJson(app, AUTH + "/register", registration(uniqueName("ceo"), "ceo@corp.com", null, id));
    assertError(cross, 400, "CAPTCHA_INVALID");
    assertThat(json(cross).getString("message")).contains("different address");
    HttpResponse<String> own = postJson(app, AUTH + "/register", registration(uniqueName("me"), "Me@Evil.test", null, id));
    assertThat(own.statusCode()).as("same address, any case: " + own.body()).isEqualTo(201);
  }

  @Test
  @DisplayName("an sms code proves the phone (either spelling of the number); an image captcha is bound to nothing")
  void smsAndImage() {
    String phone = "13712340000";
    String sms = code("sms", phone);
    assertError(postJson(app, AUTH + "/register", registration(uniqueName("p"), uniqueName("p").toLowerCase() + "@example.com",
        "13712349999", sms)), 400, "CAPTCHA_INVALID");
    String name = uniqueName("phone");
    assertThat(postJson(app, AUTH + "/register", registration(name, name.toLowerCase() + "@example.com", "+86" + phone, sms))
        .statusCode()).isEqualTo(201);
    String other = uniqueName("image");
    assertThat(postJson(app, AUTH + "/register", registration(other, other.toLowerCase() + "@example.com", null, captcha(app)))
        .statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("login: an email code works when signing in by that email; by the username or another email → CAPTCHA_INVALID, not a failed attempt")
  void login() {
    String username = newUser(app);
    String email = username.toLowerCase() + "@example.com";
    JsonObject byUsername = new JsonObject().put("username", username).put("password", PASSWORD)
        .put("captcha_id", code("email", email)).put("captcha_code", CAPTCHA_CODE);
    assertError(postJson(app, AUTH + "/login", byUsername), 400, "CAPTCHA_INVALID");
    JsonObject byOtherEmail = new JsonObject().put("username", "someone-else@example.com").put("password", PASSWORD)
        .put("captcha_id", code("email", email)).put("captcha_code", CAPTCHA_CODE);
    assertError(postJson(app, AUTH + "/login", byOtherEmail), 400, "CAPTCHA_INVALID");
    HttpResponse<String> byEmail = postJson(app, AUTH + "/login", new JsonObject().put("username", email.toUpperCase())
        .put("password", PASSWORD).put("captcha_id", code("email", email)).put("captcha_code", CAPTCHA_CODE));
    assertThat(byEmail.statusCode()).as(byEmail.body()).isEqualTo(200);
    JsonObject tokens = remember(json(byEmail));
    assertThat(json(app.get(AUTH + "/lock-status/" + username, bearer(tokens))).getInteger("failed_attempts"))
        .as("refused codes are no failed sign-ins").isZero();
  }

  @Test
  @DisplayName("a code used at the wrong address counts as a wrong answer: 5 such uses burn it")
  void wrongTargetBurns() {
    String id = code("email", "burn@example.com");
    for (int i = 0; i < 4; i++) {
      assertError(postJson(app, AUTH + "/register", registration(uniqueName("b"), "other" + i + "@example.com", null, id)),
          400, "CAPTCHA_INVALID");
    }
    assertError(postJson(app, AUTH + "/register", registration(uniqueName("b"), "other9@example.com", null, id)),
        400, "CAPTCHA_INVALID");
    assertError(postJson(app, AUTH + "/register", registration(uniqueName("b"), "burn@example.com", null, id)),
        400, "CAPTCHA_EXPIRED");
  }

  @Test
  @DisplayName("gRPC Register gives the same answer for a cross-target code")
  void grpcParity() {
    String id = code("email", "grpc-owner@example.com");
    GrpcCalls.Result<RegisterReply> r = grpc(calls, "Register", RegisterRequest.newBuilder().setUsername(uniqueName("g"))
        .setPassword(PASSWORD).setEmail("victim@example.com").setCaptchaId(id).setCaptchaCode(CAPTCHA_CODE).build(),
        RegisterReply.newBuilder());
    assertGrpcError(r, "INVALID_ARGUMENT", "CAPTCHA_INVALID");
  }
}
