package io.xredline.auth;

import com.google.protobuf.Message;
import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.AdminUserRequest;
import io.xredline.api.auth.v1.CaptchaReply;
import io.xredline.api.auth.v1.ChangePasswordRequest;
import io.xredline.api.auth.v1.ResetPasswordRequest;
import io.xredline.api.auth.v1.TotpSetupReply;
import io.xredline.api.auth.v1.TotpSetupRequest;
import io.xredline.api.auth.v1.VerifyCodeRequest;
import io.xredline.api.auth.v1.GetCaptchaRequest;
import io.xredline.api.auth.v1.LockStatusReply;
import io.xredline.api.auth.v1.LockStatusRequest;
import io.xredline.api.auth.v1.LoginRequest;
import io.xredline.api.auth.v1.MeReply;
import io.xredline.api.auth.v1.MeRequest;
import io.xredline.api.auth.v1.RefreshTokenRequest;
import io.xredline.api.auth.v1.RegisterReply;
import io.xredline.api.auth.v1.RegisterRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.TokenReply;
import io.xredline.api.auth.v1.VerifyCaptchaRequest;
import io.xredline.grpc.GrpcErrors;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Every error reason of CONTRACT §3 that auth can produce, asked once over REST and once over gRPC:
 * the same reason, the HTTP status of the contract, the mapped gRPC code and the same message.
 */
@DisplayName("REST and gRPC give the same answer for every auth error reason")
class TransportParityTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;
  private static String existing;
  private static JsonObject tokens;
  private static String twoFactorUser;
  private static JsonObject adminTokens;
  private static JsonObject disabledTokens;

  @BeforeAll
  static void start() {
    app = TestApp.start("authparity", overrides("auth.max_login_attempts", "2", "auth.lock_duration", "1h"));
    calls = new GrpcCalls(app.grpcPort());
    existing = uniqueName("exists");
    JsonObject reg = registration(app, existing, PASSWORD, existing.toLowerCase() + "@example.com").put("phone", "13600000001");
    assertThat(postJson(app, AUTH + "/register", reg).statusCode()).isEqualTo(201);
    tokens = tokens(app, existing);
    twoFactorUser = newUser(app);
    JsonObject twoFactorTokens = tokens(app, twoFactorUser);
    HttpResponse<String> setup = postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(twoFactorTokens));
    assertThat(setup.statusCode()).as(setup.body()).isEqualTo(200);
    String base32 = json(setup).getString("secret");
    SECRETS.add(base32);
    String code = Totp.code(Totp.fromBase32(base32), Totp.step(Instant.now().getEpochSecond()));
    assertThat(postJson(app, AUTH + "/totp/enable", new JsonObject().put("totp_code", code), bearer(twoFactorTokens))
        .statusCode()).isEqualTo(200);
    String admin = uniqueName("admin");
    try {
      AuthApi.createUser(app.app().vertx().eventBus(), admin, PASSWORD, true, new AuthApi.Origin("parity", "127.0.0.1"), 10_000)
          .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    adminTokens = tokens(app, admin);
    String disabled = newUser(app);
    disabledTokens = tokens(app, disabled);
    assertThat(app.post("/api/v1/admin/users/" + disabled + "/disable", null, "", bearer(adminTokens)).statusCode())
        .isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  /** One request in both forms; each supplier makes a fresh request (captchas are single-use). */
  private record Case(String name, int status, String reason, Supplier<HttpResponse<String>> rest,
                      Supplier<GrpcCalls.Result<? extends Message>> grpc) {
  }

  private static GrpcCalls.Result<? extends Message> call(String method, Message request, Message.Builder reply,
                                                          String... metadata) {
    return calls.unary(SERVICE, method, request, reply, metadata);
  }

  private static RegisterRequest.Builder register(String username, String password, String email, String phone) {
    return RegisterRequest.newBuilder().setUsername(username).setPassword(password).setEmail(email).setPhone(phone)
        .setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE);
  }

  private static JsonObject registerJson(String username, String password, String email, String phone) {
    return registration(app, username, password, email).put("phone", phone.isEmpty() ? null : phone);
  }

  private static String expiredAccess() {
    JsonObject claims = Jwts.claims(tokens.getString("access_token"));
    long now = Instant.now().getEpochSecond();
    return Jwts.hs256(claims.put("iat", now - 7200).put("nbf", now - 7200).put("exp", now - 3600),
        TokenTest.SECRET);
  }

  private static String usedRefreshToken() {
    JsonObject pair = tokens(app, existing);
    String first = pair.getString("refresh_token");
    remember(json(postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", first))));
    return first;
  }

  @TestFactory
  Iterable<DynamicTest> parity() {
    String fresh = uniqueName("fresh");
    String mail = "fresh@example.com";
    String[] bearer = {"authorization", "Bearer " + tokens.getString("access_token")};
    String other = uniqueName("someone");
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("unsupported captcha type", 400, "CAPTCHA_TYPE_UNSUPPORTED",
        () -> app.get(AUTH + "/captcha?captcha_type=fax"),
        () -> call("GetCaptcha", GetCaptchaRequest.newBuilder().setCaptchaType("fax").build(), CaptchaReply.newBuilder())));
    cases.add(new Case("sms captcha without target", 400, "CAPTCHA_TARGET_REQUIRED",
        () -> app.get(AUTH + "/captcha?captcha_type=sms"),
        () -> call("GetCaptcha", GetCaptchaRequest.newBuilder().setCaptchaType("sms").build(), CaptchaReply.newBuilder())));
    cases.add(new Case("verify without id", 400, "CAPTCHA_ID_REQUIRED",
        () -> postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_code", "ABCDEF")),
        () -> call("VerifyCaptcha", VerifyCaptchaRequest.newBuilder().setCaptchaCode("ABCDEF").build(), SuccessReply.newBuilder())));
    cases.add(new Case("verify without code", 400, "CAPTCHA_CODE_REQUIRED",
        () -> postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", "abc")),
        () -> call("VerifyCaptcha", VerifyCaptchaRequest.newBuilder().setCaptchaId("abc").build(), SuccessReply.newBuilder())));
    cases.add(new Case("unknown captcha", 400, "CAPTCHA_EXPIRED",
        () -> postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", "gone").put("captcha_code", "ABCDEF")),
        () -> call("VerifyCaptcha", VerifyCaptchaRequest.newBuilder().setCaptchaId("gone").setCaptchaCode("ABCDEF").build(),
            SuccessReply.newBuilder())));
    cases.add(new Case("wrong captcha code", 400, "CAPTCHA_INVALID",
        () -> postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", captcha(app)).put("captcha_code", "NOPE12")),
        () -> call("VerifyCaptcha", VerifyCaptchaRequest.newBuilder().setCaptchaId(captcha(app)).setCaptchaCode("NOPE12").build(),
            SuccessReply.newBuilder())));
    cases.add(new Case("bad username", 400, "INVALID_USERNAME",
        () -> postJson(app, AUTH + "/register", registerJson("9lives", PASSWORD, mail, "")),
        () -> call("Register", register("9lives", PASSWORD, mail, "").build(), RegisterReply.newBuilder())));
    cases.add(new Case("weak password", 400, "PASSWORD_WEAK",
        () -> postJson(app, AUTH + "/register", registerJson(fresh, "iloveyou", mail, "")),
        () -> call("Register", register(fresh, "iloveyou", mail, "").build(), RegisterReply.newBuilder())));
    cases.add(new Case("bad email", 400, "INVALID_EMAIL",
        () -> postJson(app, AUTH + "/register", registerJson(fresh, PASSWORD, "nope", "")),
        () -> call("Register", register(fresh, PASSWORD, "nope", "").build(), RegisterReply.newBuilder())));
    cases.add(new Case("bad phone", 400, "INVALID_PHONE",
        () -> postJson(app, AUTH + "/register", registerJson(fresh, PASSWORD, mail, "555")),
        () -> call("Register", register(fresh, PASSWORD, mail, "555").build(), RegisterReply.newBuilder())));
    cases.add(new Case("captcha missing", 400, "CAPTCHA_REQUIRED",
        () -> postJson(app, AUTH + "/register", new JsonObject().put("username", fresh).put("password", PASSWORD).put("email", mail)),
        () -> call("Register", register(fresh, PASSWORD, mail, "").setCaptchaId("").setCaptchaCode("").build(),
            RegisterReply.newBuilder())));
    cases.add(new Case("username taken", 409, "USER_EXISTS",
        () -> postJson(app, AUTH + "/register", registerJson(existing.toUpperCase(), PASSWORD, mail, "")),
        () -> call("Register", register(existing.toUpperCase(), PASSWORD, mail, "").build(), RegisterReply.newBuilder())));
    cases.add(new Case("email taken", 409, "EMAIL_EXISTS",
        () -> postJson(app, AUTH + "/register", registerJson(fresh, PASSWORD, existing.toLowerCase() + "@example.com", "")),
        () -> call("Register", register(fresh, PASSWORD, existing.toLowerCase() + "@example.com", "").build(),
            RegisterReply.newBuilder())));
    cases.add(new Case("phone taken", 409, "PHONE_EXISTS",
        () -> postJson(app, AUTH + "/register", registerJson(fresh, PASSWORD, mail, "+8613600000001")),
        () -> call("Register", register(fresh, PASSWORD, mail, "+8613600000001").build(), RegisterReply.newBuilder())));
    cases.add(new Case("login without password", 400, "VALIDATION_FAILED",
        () -> postJson(app, AUTH + "/login", loginBody(app, existing, "")),
        () -> call("Login", LoginRequest.newBuilder().setUsername(existing).setCaptchaId(captcha(app))
            .setCaptchaCode(CAPTCHA_CODE).build(), TokenReply.newBuilder())));
    cases.add(new Case("refresh without token", 400, "REFRESH_TOKEN_REQUIRED",
        () -> postJson(app, AUTH + "/refresh", new JsonObject()),
        () -> call("RefreshToken", RefreshTokenRequest.getDefaultInstance(), TokenReply.newBuilder())));
    cases.add(new Case("refresh with garbage", 401, "INVALID_TOKEN_FORMAT",
        () -> postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", "garbage")),
        () -> call("RefreshToken", RefreshTokenRequest.newBuilder().setRefreshToken("garbage").build(), TokenReply.newBuilder())));
    cases.add(new Case("refresh with an access token", 401, "TOKEN_INVALID",
        () -> postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", tokens.getString("access_token"))),
        () -> call("RefreshToken", RefreshTokenRequest.newBuilder().setRefreshToken(tokens.getString("access_token")).build(),
            TokenReply.newBuilder())));
    cases.add(new Case("refresh token used twice", 401, "TOKEN_REUSED",
        () -> postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", usedRefreshToken())),
        () -> call("RefreshToken", RefreshTokenRequest.newBuilder().setRefreshToken(usedRefreshToken()).build(),
            TokenReply.newBuilder())));
    cases.add(new Case("me without token", 401, "TOKEN_MISSING",
        () -> app.get(AUTH + "/me"),
        () -> call("Me", MeRequest.getDefaultInstance(), MeReply.newBuilder())));
    cases.add(new Case("me with an expired token", 401, "TOKEN_EXPIRED",
        () -> app.get(AUTH + "/me", "Authorization", "Bearer " + expiredAccess()),
        () -> call("Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), "authorization", "Bearer " + expiredAccess())));
    cases.add(new Case("lock-status of another account", 403, "FORBIDDEN",
        () -> app.get(AUTH + "/lock-status/" + other, bearer(tokens)),
        () -> call("LockStatus", LockStatusRequest.newBuilder().setUsername(other).build(), LockStatusReply.newBuilder(), bearer)));
    cases.add(new Case("login of a TOTP account without a code", 401, "TOTP_REQUIRED",
        () -> login(app, twoFactorUser, PASSWORD),
        () -> call("Login", LoginRequest.newBuilder().setUsername(twoFactorUser).setPassword(PASSWORD)
            .setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE).build(), TokenReply.newBuilder())));
    String[] adminBearer = {"authorization", "Bearer " + adminTokens.getString("access_token")};
    String missing = uniqueName("missing");
    cases.add(new Case("lock-status of an unknown account, asked by an admin", 404, "NOT_FOUND",
        () -> app.get(AUTH + "/lock-status/" + missing, bearer(adminTokens)),
        () -> call("LockStatus", LockStatusRequest.newBuilder().setUsername(missing).build(), LockStatusReply.newBuilder(),
            adminBearer)));
    cases.add(new Case("unknown user", 401, "INVALID_CREDENTIALS",
        () -> login(app, uniqueName("nobody"), PASSWORD),
        () -> call("Login", LoginRequest.newBuilder().setUsername(uniqueName("nobody")).setPassword(PASSWORD)
            .setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE).build(), TokenReply.newBuilder())));
    String lockedName = uniqueName("locked");
    cases.add(new Case("locked account (limit 2)", 403, "ACCOUNT_LOCKED",
        () -> {
          assertError(login(app, lockedName, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
          return login(app, lockedName, "Wrong-Password-2");
        },
        () -> call("Login", LoginRequest.newBuilder().setUsername(lockedName).setPassword(PASSWORD)
            .setCaptchaId(captcha(app)).setCaptchaCode(CAPTCHA_CODE).build(), TokenReply.newBuilder())));

    // issue 10: account lifecycle
    cases.add(new Case("password change with a wrong current password (a fresh account each time)", 400, "PASSWORD_INCORRECT",
        () -> postJson(app, AUTH + "/password", new JsonObject().put("current_password", "Wrong-Password-1")
            .put("new_password", "Fresh-Staple-Battery-7"), bearer(tokens(app, newUser(app)))),
        () -> call("ChangePassword", ChangePasswordRequest.newBuilder().setCurrentPassword("Wrong-Password-1")
            .setNewPassword("Fresh-Staple-Battery-7").build(), SuccessReply.newBuilder(),
            "authorization", "Bearer " + tokens(app, newUser(app)).getString("access_token"))));
    cases.add(new Case("TOTP setup without the password", 401, "REAUTHENTICATION_REQUIRED",
        () -> postJson(app, AUTH + "/totp/setup", new JsonObject(), bearer(tokens)),
        () -> call("TotpSetup", TotpSetupRequest.getDefaultInstance(), TotpSetupReply.newBuilder(), bearer)));
    cases.add(new Case("password reset without a live code", 400, "CODE_EXPIRED",
        () -> postJson(app, AUTH + "/password/reset", new JsonObject().put("target", uniqueName("r") + "@example.com")
            .put("code", "123456").put("new_password", "Fresh-Staple-Battery-7")),
        () -> call("ResetPassword", ResetPasswordRequest.newBuilder().setTarget(uniqueName("r") + "@example.com")
            .setCode("123456").setNewPassword("Fresh-Staple-Battery-7").build(), SuccessReply.newBuilder())));
    cases.add(new Case("password reset with a wrong code", 400, "CODE_INVALID",
        () -> postJson(app, AUTH + "/password/reset", new JsonObject().put("target", forgotten()).put("code", "000000")
            .put("new_password", "Fresh-Staple-Battery-7")),
        () -> call("ResetPassword", ResetPasswordRequest.newBuilder().setTarget(forgotten()).setCode("000000")
            .setNewPassword("Fresh-Staple-Battery-7").build(), SuccessReply.newBuilder())));
    cases.add(new Case("a request with a disabled account's token", 403, "ACCOUNT_DISABLED",
        () -> app.get(AUTH + "/me", bearer(disabledTokens)),
        () -> call("Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(),
            "authorization", "Bearer " + disabledTokens.getString("access_token"))));
    cases.add(new Case("an admin action by a non-admin", 403, "FORBIDDEN",
        () -> app.post("/api/v1/admin/users/" + other + "/unlock", null, "", bearer(tokens)),
        () -> call("AdminUnlock", AdminUserRequest.newBuilder().setUsername(other).build(), SuccessReply.newBuilder(), bearer)));
    cases.add(new Case("an admin action on an unknown account", 404, "NOT_FOUND",
        () -> app.post("/api/v1/admin/users/" + missing + "/disable", null, "", bearer(adminTokens)),
        () -> call("AdminDisable", AdminUserRequest.newBuilder().setUsername(missing).build(), SuccessReply.newBuilder(),
            adminBearer)));
    cases.add(new Case("email verification without a code sent", 400, "CODE_EXPIRED",
        () -> postJson(app, AUTH + "/email/verify", new JsonObject().put("code", "123456"), bearer(tokens)),
        () -> call("VerifyEmail", VerifyCodeRequest.newBuilder().setCode("123456").build(), SuccessReply.newBuilder(), bearer)));

    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : cases) {
      tests.add(dynamicTest(c.name() + " → " + c.status() + " " + c.reason(), () -> {
        HttpResponse<String> rest = c.rest().get();
        assertError(rest, c.status(), c.reason());
        GrpcCalls.Result<? extends Message> grpc = c.grpc().get();
        assertThat(grpc.status()).isEqualTo(GrpcErrors.status(c.status()));
        assertThat(grpc.trailers().get(GrpcErrors.REASON_TRAILER)).isEqualTo(c.reason());
        assertThat(withoutTimes(grpc.message())).as("same message").isEqualTo(withoutTimes(json(rest).getString("message")));
        com.google.rpc.Status details = com.google.rpc.Status.parseFrom(java.util.Base64.getDecoder()
            .decode(grpc.trailers().get(GrpcErrors.DETAILS_TRAILER)));
        assertThat(details.getDetails(0).unpack(com.google.rpc.ErrorInfo.class).getReason()).isEqualTo(c.reason());
      }));
    }
    return tests;
  }

  /** The email of a fresh account that has just asked for a reset code. */
  private static String forgotten() {
    String email = newUser(app).toLowerCase() + "@example.com";
    assertThat(postJson(app, AUTH + "/password/forgot", new JsonObject().put("target", email).put("captcha_id", captcha(app))
        .put("captcha_code", CAPTCHA_CODE)).statusCode()).isEqualTo(202);
    return email;
  }

  /** Messages that embed a time (unlock_time) may differ by a second between the two calls. */
  private static String withoutTimes(String message) {
    return message.replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:]+Z", "<time>");
  }
}
