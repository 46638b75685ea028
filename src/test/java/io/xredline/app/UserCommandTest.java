package io.xredline.app;

import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("user create [--admin] NAME: an operator creates an (admin) account with the password on stdin")
class UserCommandTest {
  private static final String PASSWORD = "Admin-Pass-0f-Operators";

  private static int run(AppConfig config, String stdin, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return UserCommand.run(config, List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("creates an admin that can read anyone's lock status; bad names, weak passwords and duplicates are refused")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void createsAdmin() {
    Map<String, String> overrides = TestApp.defaults("usercmd");
    overrides.put("data.database.url", TestBackends.freshDatabase("usercmd"));
    AppConfig config = TestApp.config(overrides);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThat(run(config, PASSWORD + "\n", out, err, "user", "create", "--admin", "root_admin")).as(err.toString()).isZero();
      assertThat(out.toString()).contains("admin root_admin created (user_id ");
      assertThat(out.toString() + err).doesNotContain(PASSWORD);
      assertThat(TestBackends.count(overrides.get("data.database.url"),
          "SELECT count(*) FROM users WHERE username = 'root_admin' AND roles = '{admin,user}' AND email_ciphertext IS NULL"))
          .isEqualTo(1);

      assertThat(run(config, PASSWORD + "\n", new ByteArrayOutputStream(), err, "user", "create", "root_admin"))
          .isEqualTo(UserCommand.FAILED);
      assertThat(err.toString()).contains("USER_EXISTS");
      assertThat(run(config, "password\n", new ByteArrayOutputStream(), err, "user", "create", "other_one"))
          .isEqualTo(UserCommand.FAILED);
      assertThat(err.toString()).contains("PASSWORD_WEAK");
      assertThat(run(config, PASSWORD + "\n", new ByteArrayOutputStream(), err, "user", "create", "1bad"))
          .isEqualTo(UserCommand.FAILED);
      assertThat(err.toString()).contains("INVALID_USERNAME");
      assertThat(run(config, "", new ByteArrayOutputStream(), err, "user", "create", "nobody")).isEqualTo(UserCommand.USAGE);
      assertThat(run(config, PASSWORD, new ByteArrayOutputStream(), err, "user", "delete", "x")).isEqualTo(UserCommand.USAGE);

      Map<String, String> appOverrides = new HashMap<>(overrides);
      appOverrides.put("auth.captcha.enabled", "false");
      try (TestApp app = TestApp.start("usercmdapp", appOverrides)) {
        assertThat(app.post("/api/v1/auth/register", "application/json", new JsonObject().put("username", "plain_user")
            .put("password", "Plain-User-Pass-1").put("email", "plain@example.com").encode()).statusCode()).isEqualTo(201);
        HttpResponse<String> login = app.post("/api/v1/auth/login", "application/json",
            new JsonObject().put("username", "root_admin").put("password", PASSWORD).encode());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String token = TestApp.json(login).getString("access_token");
        HttpResponse<String> status = app.get("/api/v1/auth/lock-status/plain_user", "Authorization", "Bearer " + token);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      }
    } finally {
      TestBackends.dropDatabase(overrides.get("data.database.url"));
    }
  }

  @Test
  @DisplayName("user unlock|disable|enable|totp-reset NAME: the admin actions from the command line, in the audit trail; an unknown name fails")
  @Timeout(value = 3, unit = TimeUnit.MINUTES) // six runs, each starting the auth capability and hashing: slow on busy cores
  void adminActions() throws Exception {
    Map<String, String> overrides = TestApp.defaults("usercmdadmin");
    String db = TestBackends.freshDatabase("usercmdadmin");
    overrides.put("data.database.url", db);
    AppConfig config = TestApp.config(overrides);
    try {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThat(run(config, PASSWORD + "\n", new ByteArrayOutputStream(), err, "user", "create", "cli_target")).as(err.toString())
          .isZero();
      sealTotpSecret(config, db, "cli_target");
      for (String action : List.of("disable", "unlock", "totp-reset")) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(config, "", out, err, "user", action, "cli_target")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("user cli_target: " + action + " done");
      }
      assertThat(TestBackends.count(db, "SELECT count(*) FROM users WHERE username = 'cli_target' AND disabled"
          + " AND NOT totp_enabled AND totp_secret_ciphertext IS NULL")).isEqualTo(1);
      assertThat(run(config, "", new ByteArrayOutputStream(), err, "user", "enable", "cli_target")).isZero();
      assertThat(TestBackends.count(db, "SELECT count(*) FROM users WHERE username = 'cli_target' AND NOT disabled"))
          .isEqualTo(1);
      assertThat(TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE kind IN ('account_disabled',"
          + " 'account_unlocked', 'totp_reset', 'account_enabled') AND outcome = 'by operator'")).isEqualTo(4);
      assertThat(run(config, "", new ByteArrayOutputStream(), err, "user", "disable", "no_such_user"))
          .isEqualTo(UserCommand.FAILED);
      assertThat(err.toString()).contains("NOT_FOUND");
      assertThat(run(config, "", new ByteArrayOutputStream(), err, "user", "disable")).isEqualTo(UserCommand.USAGE);
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  @Test
  @Tag("e2e")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // spawns a JVM that starts Vert.x, runs migrations and hashes
  @DisplayName("java -jar xredline.jar user create --admin NAME reads the password from stdin and exits 0")
  void fromTheJar(@TempDir Path dir) throws Exception {
    String db = TestBackends.freshDatabase("usercmdjar");
    try {
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-jar", ServiceProcess.JAR.toString(), "user", "create", "--admin", "jar_admin")
          .directory(dir.toFile())
          .redirectOutput(dir.resolve("out.log").toFile())
          .redirectError(dir.resolve("err.log").toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("XREDLINE_"));
      builder.environment().put("XREDLINE_ENV", "test");
      builder.environment().put("XREDLINE_DATA__DATABASE__URL", db);
      builder.environment().put("XREDLINE_DATA__REDIS__URL", TestBackends.redisUrl());
      Process process = builder.start();
      process.getOutputStream().write((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(dir.resolve("out.log"));
      String err = Files.readString(dir.resolve("err.log"));
      assertThat(process.exitValue()).as(out + err).isZero();
      assertThat(out).contains("admin jar_admin created");
      assertThat(out + err).doesNotContain(PASSWORD);
      assertThat(TestBackends.count(db, "SELECT count(*) FROM users WHERE username = 'jar_admin' AND 'admin' = ANY(roles)"))
          .isEqualTo(1);
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  /** Turns TOTP on for {@code username} with a secret sealed under the database's data keys, as setup would. */
  private static void sealTotpSecret(AppConfig config, String db, String username) throws Exception {
    io.xredline.data.PgUrls.Jdbc jdbc = io.xredline.data.PgUrls.jdbc(db);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc.url(), jdbc.properties())) {
      io.xredline.kms.KeyRing ring = io.xredline.kms.KeyTable.load(c,
          io.xredline.kms.RootKey.of(config.security().kms().masterKey()));
      long id;
      try (var select = c.prepareStatement("SELECT id FROM users WHERE username = ?")) {
        select.setString(1, username);
        var rs = select.executeQuery();
        rs.next();
        id = rs.getLong(1);
      }
      try (var update = c.prepareStatement("UPDATE users SET totp_secret_ciphertext = ?, totp_enabled = true WHERE id = ?")) {
        update.setString(1, ring.seal(new byte[20], io.xredline.kms.SealedColumns.associatedData(
            io.xredline.kms.SealedColumns.TOTP_SECRET, id)));
        update.setLong(2, id);
        update.executeUpdate();
      }
    }
  }
}
