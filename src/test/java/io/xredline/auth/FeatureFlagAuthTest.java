package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Feature flags over REST: per caller, for admins, and the flags the service itself reads")
class FeatureFlagAuthTest extends AuthTestBase {
  @TempDir
  Path dir;
  private long mtime = System.currentTimeMillis();

  private Path write(Path file, String yaml) throws Exception {
    Files.writeString(file, yaml);
    mtime += 2000;
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime));
    return file;
  }

  @Test
  @Timeout(90) // one service start, several sign-ins and a reload poll with both cores busy
  @DisplayName("registration: false closes registration (403 REGISTRATION_CLOSED) and reopens on a file change, no restart")
  void registrationFlagHotReloads() throws Exception {
    Path file = write(dir.resolve("flags.yaml"), "features:\n  registration: true\n");
    Map<String, String> o = overrides();
    try (TestApp app = TestApp.startWatching("flagreg", o, List.of(file))) {
      String alice = newUser(app);
      JsonObject tokens = tokens(app, alice);

      write(file, "features:\n  registration: false\n  beta: {users: [" + alice + "]}\n");
      HttpResponse<String> closed = Eventually.value("registration closed", () -> register(app, uniqueName("u"), PASSWORD,
          uniqueName("u").toLowerCase() + "@example.com"), r -> r.statusCode() == 403);
      assertError(closed, 403, "REGISTRATION_CLOSED");
      JsonObject mine = json(app.get("/api/v1/features", bearer(tokens))).getJsonObject("features");
      assertThat(mine.getBoolean("registration")).isFalse();
      assertThat(mine.getBoolean("beta")).as("named in users").isTrue();

      write(file, "features:\n  registration: true\n");
      Eventually.value("registration open again", () -> register(app, uniqueName("u"), PASSWORD,
          uniqueName("v").toLowerCase() + "@example.com"), r -> r.statusCode() == 201);
      assertThat(json(app.get("/api/v1/features", bearer(tokens))).getJsonObject("features").fieldNames())
          .containsExactly("registration");
    }
  }

  @Test
  @Timeout(90) // one service start and a handful of sign-ins with both cores busy
  @DisplayName("GET /api/v1/features needs a token; /admin/features needs role admin and shows the long form")
  void routes() {
    try (TestApp app = TestApp.start("flagroutes", overrides("features.beta.roles", "admin",
        "features.roll.percent", "100", "features.off", "false"))) {
      assertError(app.get("/api/v1/features"), 401, "TOKEN_MISSING");
      String bob = newUser(app);
      JsonObject bobTokens = tokens(app, bob);
      JsonObject forBob = json(app.get("/api/v1/features", bearer(bobTokens))).getJsonObject("features");
      assertThat(forBob.getMap()).containsEntry("beta", false).containsEntry("roll", true).containsEntry("off", false);
      assertError(app.get("/api/v1/admin/features", bearer(bobTokens)), 403, "FORBIDDEN");

      String admin = newUser(app);
      TestBackends.execute(app.databaseUrl(), "UPDATE users SET roles = '{admin,user}' WHERE username = '" + admin + "'");
      JsonObject adminTokens = tokens(app, admin);
      assertThat(json(app.get("/api/v1/features", bearer(adminTokens))).getJsonObject("features").getBoolean("beta")).isTrue();
      JsonObject defs = json(app.get("/api/v1/admin/features", bearer(adminTokens))).getJsonObject("features");
      assertThat(defs.getJsonObject("off")).isEqualTo(new JsonObject(
          "{\"enabled\":false,\"percent\":100,\"users\":[],\"roles\":[]}"));
      assertThat(defs.getJsonObject("beta").getInteger("percent")).isZero();
    }
  }

  @Test
  @Timeout(90) // one service start with both cores busy
  @DisplayName("registration: false answers the same on gRPC: PERMISSION_DENIED with reason REGISTRATION_CLOSED")
  void registrationClosedOnBothTransports() {
    try (TestApp app = TestApp.start("flagregrpc", overrides("features.registration", "false"));
         io.xredline.testing.GrpcCalls calls = new io.xredline.testing.GrpcCalls(app.grpcPort())) {
      String name = uniqueName("g");
      assertError(register(app, name, PASSWORD, name.toLowerCase() + "@example.com"), 403, "REGISTRATION_CLOSED");
      assertGrpcError(grpc(calls, "Register", io.xredline.api.auth.v1.RegisterRequest.newBuilder().setUsername(name)
          .setPassword(PASSWORD).setEmail(name.toLowerCase() + "@example.com").setCaptchaId(captcha(app))
          .setCaptchaCode(CAPTCHA_CODE).build(), io.xredline.api.auth.v1.RegisterReply.newBuilder()),
          "PERMISSION_DENIED", "REGISTRATION_CLOSED");
    }
  }

  @Test
  @Timeout(90) // one service start and a few sign-ins with both cores busy
  @DisplayName("captcha: false lets sign-in through without a captcha; totp: false refuses TOTP setup; docs: false hides /docs")
  void serviceFlags() {
    try (TestApp app = TestApp.start("flagsvc", overrides("features.totp", "false", "features.docs", "false"))) {
      String carol = newUser(app);
      JsonObject tokens = tokens(app, carol);
      assertError(postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens)), 400, "BAD_REQUEST");
      assertThat(app.get("/docs").statusCode()).isEqualTo(404);
      assertThat(app.get("/openapi.json").statusCode()).isEqualTo(200);
    }
    try (TestApp app = TestApp.start("flagcap", overrides("features.captcha", "false"))) {
      String dave = uniqueName("dave");
      HttpResponse<String> r = postJson(app, AUTH + "/register", new JsonObject().put("username", dave)
          .put("password", PASSWORD).put("email", dave.toLowerCase() + "@example.com"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      HttpResponse<String> in = postJson(app, AUTH + "/login", new JsonObject().put("username", dave).put("password", PASSWORD));
      assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
      assertError(app.get(AUTH + "/captcha"), 400, "CAPTCHA_DISABLED");
    }
  }
}
