package io.xredline.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.AdminUserRequest;
import io.xredline.api.auth.v1.MeReply;
import io.xredline.api.auth.v1.MeRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.testing.Eventually;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 point 5: an admin unlocks, disables, enables and resets TOTP of an account; a disabled
 * account answers ACCOUNT_DISABLED at sign-in and on every authenticated request; each action is in
 * the audit trail with the admin's name.
 */
@DisplayName("admin actions: unlock, disable/enable, TOTP reset — role admin, audited, REST and gRPC")
class AdminActionsTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;
  private static String adminName;
  private static JsonObject admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("adminactions", overrides("auth.max_login_attempts", "2", "auth.lockout.account_max", "3"));
    calls = new GrpcCalls(app.grpcPort());
    adminName = uniqueName("root");
    AuthApi.createUser(app.app().vertx().eventBus(), adminName, PASSWORD, true, new AuthApi.Origin("admin-test", "127.0.0.1"),
        10_000).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    admin = tokens(app, adminName);
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static HttpResponse<String> act(String username, String action, JsonObject tokens) {
    return app.post("/api/v1/admin/users/" + username + "/" + action, null, "", bearer(tokens));
  }

  private static JsonArray audit(String username) {
    return json(app.get("/api/v1/audit?user=" + username, bearer(admin))).getJsonArray("items");
  }

  private static boolean audited(String username, String kind) {
    return audit(username).stream().map(JsonObject.class::cast)
        .anyMatch(e -> kind.equals(e.getString("kind")) && ("by " + adminName).equals(e.getString("outcome")));
  }

  @Test
  @DisplayName("401 without a token, 403 FORBIDDEN for a non-admin, 404 for an unknown or malformed name")
  void onlyAdmins() {
    String username = newUser(app);
    JsonObject user = tokens(app, username);
    assertError(app.post("/api/v1/admin/users/" + username + "/disable", null, ""), 401, "TOKEN_MISSING");
    for (String action : new String[] {"unlock", "disable", "enable", "totp/reset"}) {
      HttpResponse<String> refused = act(username, action, user);
      assertError(refused, 403, "FORBIDDEN");
      assertThat(json(refused).getString("message")).isEqualTo(AuthApi.ADMIN_ONLY);
    }
    assertError(act(uniqueName("nobody"), "disable", admin), 404, "NOT_FOUND");
    assertError(act("1-not-a-name", "unlock", admin), 404, "NOT_FOUND");
    assertThat(app.get(AUTH + "/me", bearer(user)).statusCode()).as("nothing happened").isEqualTo(200);
  }

  @Test
  @DisplayName("unlock lifts the pair locks and the account-wide lock, audited with the admin's name")
  void unlock() {
    String username = newUser(app);
    for (int i = 0; i < 3; i++) {
      login(app, username, "Wrong-Password-" + i);
    }
    assertError(login(app, username, PASSWORD), 403, "ACCOUNT_LOCKED");
    HttpResponse<String> unlocked = act(username, "unlock", admin);
    assertThat(unlocked.statusCode()).as(unlocked.body()).isEqualTo(200);
    assertThat(json(unlocked).getBoolean("success")).isTrue();
    assertThat(login(app, username, PASSWORD).statusCode()).isEqualTo(200);
    Eventually.await("account_unlocked audited", () -> audited(username, "account_unlocked"));
  }

  @Test
  @DisplayName("disable: sessions end, every authenticated request and a right-password sign-in → 403 ACCOUNT_DISABLED; enable lets sign-in back in")
  void disableAndEnable() {
    String username = newUser(app);
    JsonObject session = tokens(app, username);
    assertThat(act(username, "disable", admin).statusCode()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(session)), 403, "ACCOUNT_DISABLED");
    assertError(app.get(AUTH + "/sessions", bearer(session)), 403, "ACCOUNT_DISABLED");
    assertError(postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", session.getString("refresh_token"))),
        401, "TOKEN_INVALID");
    assertError(login(app, username, PASSWORD), 403, "ACCOUNT_DISABLED");
    assertError(login(app, username, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE username = '" + username
        + "' AND disabled")).isEqualTo(1);
    GrpcCalls.Result<MeReply> grpcMe = grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(),
        "authorization", "Bearer " + session.getString("access_token"));
    assertGrpcError(grpcMe, "PERMISSION_DENIED", "ACCOUNT_DISABLED");

    assertThat(act(username, "enable", admin).statusCode()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(session)), 401, "TOKEN_INVALID");
    JsonObject back = tokens(app, username);
    assertThat(app.get(AUTH + "/me", bearer(back)).statusCode()).isEqualTo(200);
    Eventually.await("disable and enable audited", () -> audited(username, "account_disabled")
        && audited(username, "account_enabled"));
  }

  @Test
  @DisplayName("a disabled admin can administer nothing")
  void disabledAdmin() throws Exception {
    String other = uniqueName("root2");
    AuthApi.createUser(app.app().vertx().eventBus(), other, PASSWORD, true, new AuthApi.Origin("admin-test", "127.0.0.1"),
        10_000).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    JsonObject otherTokens = tokens(app, other);
    assertThat(act(other, "disable", admin).statusCode()).isEqualTo(200);
    assertError(act(adminName, "disable", otherTokens), 403, "ACCOUNT_DISABLED");
  }

  @Test
  @DisplayName("totp/reset turns TOTP off (secret and recovery codes gone): sign-in needs no code")
  void totpReset() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    HttpResponse<String> setup = postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens));
    SECRETS.add(json(setup).getString("secret"));
    byte[] secret = Totp.fromBase32(json(setup).getString("secret"));
    HttpResponse<String> enabled = postJson(app, AUTH + "/totp/enable", new JsonObject().put("totp_code",
        Totp.code(secret, Totp.step(Instant.now().getEpochSecond()))), bearer(tokens));
    assertThat(enabled.statusCode()).isEqualTo(200);
    SECRETS.addAll(json(enabled).getJsonArray("recovery_codes").getList());
    assertError(login(app, username, PASSWORD), 401, "TOTP_REQUIRED");
    assertThat(act(username, "totp/reset", admin).statusCode()).isEqualTo(200);
    tokens(app, username);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users u WHERE username = '" + username
        + "' AND NOT totp_enabled AND totp_secret_ciphertext IS NULL AND NOT EXISTS (SELECT 1 FROM totp_recovery_codes r"
        + " WHERE r.user_id = u.id)")).isEqualTo(1);
    Eventually.await("totp_reset audited", () -> audited(username, "totp_reset"));
  }

  @Test
  @DisplayName("gRPC AdminDisable/AdminEnable/AdminUnlock/AdminTotpReset: PERMISSION_DENIED FORBIDDEN for a non-admin, done for an admin")
  void grpc() {
    String username = newUser(app);
    JsonObject user = tokens(app, username);
    String[] userAuth = {"authorization", "Bearer " + user.getString("access_token")};
    String[] adminAuth = {"authorization", "Bearer " + admin.getString("access_token")};
    AdminUserRequest request = AdminUserRequest.newBuilder().setUsername(username).build();
    for (String method : new String[] {"AdminUnlock", "AdminDisable", "AdminEnable", "AdminTotpReset"}) {
      assertGrpcError(grpc(calls, method, request, SuccessReply.newBuilder(), userAuth), "PERMISSION_DENIED", "FORBIDDEN");
    }
    assertGrpcError(grpc(calls, "AdminDisable", AdminUserRequest.newBuilder().setUsername(uniqueName("none")).build(),
        SuccessReply.newBuilder(), adminAuth), "NOT_FOUND", "NOT_FOUND");
    GrpcCalls.Result<SuccessReply> disabled = grpc(calls, "AdminDisable", request, SuccessReply.newBuilder(), adminAuth);
    assertThat(disabled.reply().getSuccess()).as(disabled.message()).isTrue();
    assertError(login(app, username, PASSWORD), 403, "ACCOUNT_DISABLED");
    for (String method : new String[] {"AdminEnable", "AdminUnlock", "AdminTotpReset"}) {
      GrpcCalls.Result<SuccessReply> done = grpc(calls, method, request, SuccessReply.newBuilder(), adminAuth);
      assertThat(done.reply().getSuccess()).as(method + ": " + done.message()).isTrue();
    }
    tokens(app, username);
  }
}
