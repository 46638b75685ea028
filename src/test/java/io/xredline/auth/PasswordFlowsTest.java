package io.xredline.auth;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.xredline.api.auth.v1.ChangePasswordRequest;
import io.xredline.api.auth.v1.ForgotPasswordRequest;
import io.xredline.api.auth.v1.MessageReply;
import io.xredline.api.auth.v1.ResetPasswordRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.auth.store.RedisKeys;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import io.xredline.testing.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 point 1: changing a password needs the current one (a wrong one is a failed sign-in
 * attempt) and ends the other sessions; a forgotten one is reset with a single-use code sent to the
 * account's address, which ends every session and lifts the lockout. Codes are the fixed test code;
 * which address a code went to is seen on the bus (the delivery channel's input).
 */
@DisplayName("password change, forgot and reset — REST and gRPC")
class PasswordFlowsTest extends AuthTestBase {
  private static final String NEW_PASSWORD = "Fresh-Staple-Battery-7";
  private static final AtomicLong PHONES = new AtomicLong(System.nanoTime() % 10_000_000);
  private static TestApp app;
  private static GrpcCalls calls;
  /** Every code delivery the service hands to a channel: {channel, target}. */
  private static final List<JsonObject> DELIVERIES = new CopyOnWriteArrayList<>();
  private static final Handler<DeliveryContext<Object>> WATCH = delivery -> {
    String address = delivery.message().address();
    if (AuthApi.DELIVER_EMAIL.equals(address) || AuthApi.DELIVER_SMS.equals(address)) {
      JsonObject body = (JsonObject) delivery.body();
      DELIVERIES.add(new JsonObject().put("channel", body.getString("channel")).put("target", body.getString("target")));
    }
    delivery.next();
  };

  @BeforeAll
  static void start() {
    Map<String, String> o = overrides("auth.max_login_attempts", "3", "auth.password_reset.expiration", "2m");
    // limits on, generous everywhere but the policy under test
    o.put("security.rate_limit.enabled", "true");
    o.put("security.rate_limit.default.requests_per_second", "1000");
    o.put("security.rate_limit.default.burst", "1000");
    for (String policy : List.of("login_ip", "login_account", "register_ip", "captcha_ip", "code_target", "code_target_day")) {
      o.put("security.rate_limit.policies." + policy + ".limit", "1000");
    }
    o.put("security.rate_limit.policies.password_reset.limit", "3");
    o.put("security.rate_limit.policies.password_reset.per", "1h");
    app = TestApp.start("passwords", o);
    app.app().vertx().eventBus().addOutboundInterceptor(WATCH);
    calls = new GrpcCalls(app.grpcPort());
    SECRETS.add(NEW_PASSWORD);
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static String phone() {
    return "+86139" + String.format("%08d", PHONES.incrementAndGet() % 100_000_000);
  }

  /** A fresh account with an email and a phone; returns {username, email, phone}. */
  private static String[] account() {
    String username = uniqueName("pw");
    String email = username.toLowerCase() + "@example.com";
    String phone = phone();
    HttpResponse<String> r = postJson(app, AUTH + "/register", registration(app, username, PASSWORD, email).put("phone", phone));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new String[] {username, email, phone};
  }

  private static HttpResponse<String> change(JsonObject tokens, String current, String next) {
    return postJson(app, AUTH + "/password", new JsonObject().put("current_password", current).put("new_password", next),
        bearer(tokens));
  }

  private static HttpResponse<String> forgot(String target) {
    return postJson(app, AUTH + "/password/forgot", new JsonObject().put("target", target).put("captcha_id", captcha(app))
        .put("captcha_code", CAPTCHA_CODE));
  }

  private static HttpResponse<String> reset(String target, String code, String password) {
    return postJson(app, AUTH + "/password/reset", new JsonObject().put("target", target).put("code", code)
        .put("new_password", password));
  }

  private static int failedAttempts(String username, JsonObject tokens) {
    return json(app.get(AUTH + "/lock-status/" + username, bearer(tokens))).getInteger("failed_attempts");
  }

  @Test
  @DisplayName("change: no current password → 401 REAUTHENTICATION_REQUIRED; wrong → 400 PASSWORD_INCORRECT, counted; weak new → PASSWORD_WEAK")
  void changeRefusals() {
    String username = account()[0];
    JsonObject tokens = tokens(app, username);
    assertError(postJson(app, AUTH + "/password", new JsonObject().put("new_password", NEW_PASSWORD), bearer(tokens)), 401,
        "REAUTHENTICATION_REQUIRED");
    assertError(change(tokens, PASSWORD, "password"), 400, "PASSWORD_WEAK");
    assertError(change(tokens, PASSWORD, username), 400, "PASSWORD_WEAK");
    assertThat(failedAttempts(username, tokens)).as("field checks are no attempts").isZero();
    assertError(change(tokens, "Not-The-Password-1", NEW_PASSWORD), 400, "PASSWORD_INCORRECT");
    assertThat(failedAttempts(username, tokens)).as("a wrong current password is a failed attempt").isEqualTo(1);
    assertError(change(tokens, "Not-The-Password-2", NEW_PASSWORD), 400, "PASSWORD_INCORRECT");
    // the 3rd failure (limit 3) locks the account for this address: the password change and sign-in alike
    assertError(change(tokens, "Not-The-Password-3", NEW_PASSWORD), 403, "ACCOUNT_LOCKED");
    assertError(change(tokens, PASSWORD, NEW_PASSWORD), 403, "ACCOUNT_LOCKED");
    assertError(login(app, username, PASSWORD), 403, "ACCOUNT_LOCKED");
  }

  @Test
  @DisplayName("change: the new password works, the old one does not, every other session is revoked, this one stays")
  void changeRevokesOtherSessions() {
    String username = account()[0];
    JsonObject mine = tokens(app, username);
    JsonObject other = tokens(app, username);
    HttpResponse<String> changed = change(mine, PASSWORD, NEW_PASSWORD);
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(json(changed).getBoolean("success")).isTrue();
    assertThat(app.get(AUTH + "/me", bearer(mine)).statusCode()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(other)), 401, "TOKEN_INVALID");
    assertError(postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", other.getString("refresh_token"))),
        401, "TOKEN_INVALID");
    assertError(login(app, username, PASSWORD), 401, "INVALID_CREDENTIALS");
    assertThat(login(app, username, NEW_PASSWORD).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("forgot answers the same 202 for an address with and without an account, stores a code for both, and sends only to the account")
  void forgotIsTheSameEitherWay() {
    String[] acct = account();
    String nobody = uniqueName("nobody").toLowerCase() + "@example.com";
    HttpResponse<String> unknown = forgot(nobody);
    int sentBefore = DELIVERIES.size();
    HttpResponse<String> known = forgot(acct[1].toUpperCase());
    assertThat(unknown.statusCode()).isEqualTo(202);
    assertThat(known.statusCode()).isEqualTo(202);
    assertThat(json(unknown).fieldNames()).containsExactly("message");
    assertThat(unknown.body()).isEqualTo(known.body());
    assertThat(DELIVERIES.stream().filter(d -> d.getString("target").equalsIgnoreCase(nobody))).as("nothing sent to nobody").isEmpty();
    assertThat(DELIVERIES.subList(sentBefore, DELIVERIES.size())).contains(new JsonObject().put("channel", "email")
        .put("target", acct[1]));
    // the same work: a live code for the address without an account too; it resets nothing
    for (String target : List.of(nobody, acct[1])) {
      long ttl = TestRedis.send(app, Command.PTTL, "auth:captcha:reset-" + RedisKeys.digest("email:" + target)).toLong();
      assertThat(ttl).as("auth.password_reset.expiration 2m").isBetween(1L, 120_000L);
    }
    assertError(reset(nobody, CAPTCHA_CODE, NEW_PASSWORD), 400, "CODE_INVALID");
  }

  @Test
  @DisplayName("reset by email: wrong code → CODE_INVALID; right code → every session ends, the lockout is lifted, the new password works; the code is single-use")
  void resetByEmail() {
    String[] acct = account();
    JsonObject session = tokens(app, acct[0]);
    // lock the account for this address first
    for (int i = 0; i < 3; i++) {
      login(app, acct[0], "Wrong-Password-" + i);
    }
    assertError(login(app, acct[0], PASSWORD), 403, "ACCOUNT_LOCKED");
    assertThat(forgot(acct[1]).statusCode()).isEqualTo(202);
    assertError(reset(acct[1], "000000", NEW_PASSWORD), 400, "CODE_INVALID");
    assertError(reset(acct[1], CAPTCHA_CODE, "password"), 400, "PASSWORD_WEAK");
    HttpResponse<String> done = reset(acct[1], CAPTCHA_CODE.toLowerCase(), NEW_PASSWORD);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(session)), 401, "TOKEN_INVALID");
    assertThat(login(app, acct[0], NEW_PASSWORD).statusCode()).as("lockout lifted").isEqualTo(200);
    assertError(reset(acct[1], CAPTCHA_CODE, PASSWORD), 400, "CODE_EXPIRED");
  }

  @Test
  @DisplayName("reset by phone (either spelling); a code is bound to its address: another account's address has no live code; an expired code → CODE_EXPIRED")
  void resetByPhoneAndBinding() {
    String[] acct = account();
    String[] other = account();
    String cnMobile = acct[2].substring(3);
    assertThat(forgot(cnMobile).statusCode()).isEqualTo(202);
    assertThat(DELIVERIES).contains(new JsonObject().put("channel", "sms").put("target", acct[2]));
    assertError(reset(other[2], CAPTCHA_CODE, NEW_PASSWORD), 400, "CODE_EXPIRED");
    assertError(reset(other[1], CAPTCHA_CODE, NEW_PASSWORD), 400, "CODE_EXPIRED");
    assertThat(reset(acct[2], CAPTCHA_CODE, NEW_PASSWORD).statusCode()).isEqualTo(200);
    assertThat(login(app, acct[0], NEW_PASSWORD).statusCode()).isEqualTo(200);

    assertThat(forgot(other[1]).statusCode()).isEqualTo(202);
    assertThat(TestRedis.expireNow(app, "auth:captcha:reset-*")).isPositive();
    assertError(reset(other[1], CAPTCHA_CODE, NEW_PASSWORD), 400, "CODE_EXPIRED");
  }

  @Test
  @DisplayName("forgot spends a captcha (an emailed one only for its own address), checks the target, and is limited per target (password_reset)")
  void forgotChecksAndLimits() {
    String[] acct = account();
    assertError(postJson(app, AUTH + "/password/forgot", new JsonObject().put("captcha_id", captcha(app))
        .put("captcha_code", CAPTCHA_CODE)), 400, "VALIDATION_FAILED");
    assertError(postJson(app, AUTH + "/password/forgot", new JsonObject().put("target", "not-an-address")
        .put("captcha_id", captcha(app)).put("captcha_code", CAPTCHA_CODE)), 400, "INVALID_PHONE");
    assertError(postJson(app, AUTH + "/password/forgot", new JsonObject().put("target", acct[1])), 400, "CAPTCHA_REQUIRED");
    HttpResponse<String> elsewhere = app.get(AUTH + "/captcha?captcha_type=email&target=someone-else@example.com");
    assertError(postJson(app, AUTH + "/password/forgot", new JsonObject().put("target", acct[1])
        .put("captcha_id", json(elsewhere).getString("captcha_id")).put("captcha_code", CAPTCHA_CODE)), 400, "CAPTCHA_INVALID");
    // field checks come before the limit; the refused captcha above counted (limit 3 per target and hour)
    assertThat(forgot(acct[1]).statusCode()).isEqualTo(202);
    assertThat(forgot(acct[1]).statusCode()).isEqualTo(202);
    HttpResponse<String> limited = forgot(acct[1]);
    assertError(limited, 429, "RATE_LIMITED");
    assertThat(json(limited).getJsonObject("metadata").getString("policy")).isEqualTo("password_reset");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  @DisplayName("with SMTP configured the reset code arrives by real mail (GreenMail), only for the address with an account, and resets the password")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void resetCodeByMail() throws Exception {
    int port = TestBackends.freePort();
    GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try (TestApp withMail = TestApp.start("passwordsmail", overrides(
        "auth.captcha.fixed_code", "",
        "auth.captcha.enabled", "false",
        "auth.captcha.email.smtp.host", "127.0.0.1",
        "auth.captcha.email.smtp.port", String.valueOf(port),
        "auth.captcha.email.smtp.starttls", "disabled"))) {
      String username = uniqueName("mail");
      String email = username.toLowerCase() + "@example.com";
      assertThat(postJson(withMail, AUTH + "/register", new JsonObject().put("username", username).put("password", PASSWORD)
          .put("email", email)).statusCode()).isEqualTo(201);
      assertThat(postJson(withMail, AUTH + "/password/forgot", new JsonObject().put("target", "nobody-" + email))
          .statusCode()).isEqualTo(202);
      assertThat(postJson(withMail, AUTH + "/password/forgot", new JsonObject().put("target", email)).statusCode())
          .isEqualTo(202);
      assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
      var messages = mail.getReceivedMessages();
      assertThat(messages).as("one mail: none for the address without an account").hasSize(1);
      assertThat(messages[0].getAllRecipients()[0].toString()).isEqualTo(email);
      Matcher m = Pattern.compile("code is ([0-9]{6})").matcher(GreenMailUtil.getBody(messages[0]));
      assertThat(m.find()).isTrue();
      SECRETS.add(m.group(1));
      HttpResponse<String> reset = postJson(withMail, AUTH + "/password/reset", new JsonObject().put("target", email)
          .put("code", m.group(1)).put("new_password", NEW_PASSWORD));
      assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
      assertThat(postJson(withMail, AUTH + "/login", new JsonObject().put("username", username).put("password", NEW_PASSWORD))
          .statusCode()).isEqualTo(200);
    } finally {
      mail.stop();
    }
  }

  @Test
  @DisplayName("gRPC ChangePassword, ForgotPassword and ResetPassword answer as REST does")
  void grpc() {
    String[] acct = account();
    JsonObject tokens = tokens(app, acct[0]);
    String[] auth = {"authorization", "Bearer " + tokens.getString("access_token")};
    assertGrpcError(grpc(calls, "ChangePassword", ChangePasswordRequest.newBuilder().setCurrentPassword("Wrong-Password-9")
        .setNewPassword(NEW_PASSWORD).build(), SuccessReply.newBuilder(), auth), "INVALID_ARGUMENT", "PASSWORD_INCORRECT");
    GrpcCalls.Result<SuccessReply> changed = grpc(calls, "ChangePassword", ChangePasswordRequest.newBuilder()
        .setCurrentPassword(PASSWORD).setNewPassword(NEW_PASSWORD).build(), SuccessReply.newBuilder(), auth);
    assertThat(changed.reply().getSuccess()).as(changed.message()).isTrue();

    GrpcCalls.Result<MessageReply> sent = grpc(calls, "ForgotPassword", ForgotPasswordRequest.newBuilder()
        .setTarget(acct[1]).setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE).build(), MessageReply.newBuilder());
    assertThat(sent.reply().getMessage()).isEqualTo(json(forgot(uniqueName("x") + "@example.com")).getString("message"));
    assertGrpcError(grpc(calls, "ResetPassword", ResetPasswordRequest.newBuilder().setTarget(acct[1]).setCode("999999")
        .setNewPassword(PASSWORD).build(), SuccessReply.newBuilder()), "INVALID_ARGUMENT", "CODE_INVALID");
    GrpcCalls.Result<SuccessReply> reset = grpc(calls, "ResetPassword", ResetPasswordRequest.newBuilder().setTarget(acct[1])
        .setCode(CAPTCHA_CODE).setNewPassword("Another-Fresh-Pass-8").build(), SuccessReply.newBuilder());
    assertThat(reset.reply().getSuccess()).as(reset.message()).isTrue();
    SECRETS.add("Another-Fresh-Pass-8");
    assertError(app.get(AUTH + "/me", bearer(tokens)), 401, "TOKEN_INVALID");
    assertThat(login(app, acct[0], "Another-Fresh-Pass-8").statusCode()).isEqualTo(200);
  }
}
