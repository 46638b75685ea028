package io.xredline.app;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar xredline.jar config check} as an operator runs it, before a deploy. */
@Tag("e2e")
@DisplayName("java -jar xredline.jar config check")
// each test spawns the jar; a JVM start on a loaded two-core machine can exceed the 30 s default
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConfigCheckJarTest {
  private static final Duration EXIT = Duration.ofSeconds(90);
  private static final String SECRET = "Zq8v-3LmT9x_Rk2pWb7nYc4dHs6jUe1f";

  @Test
  @DisplayName("valid prod: exit 0, the effective YAML with each key's layer, secrets masked, nothing started")
  void validProd(@TempDir Path dir) throws Exception {
    Path extra = dir.resolve("extra.yaml");
    Files.writeString(extra, "log:\n  level: warn\n");
    try (ServiceProcess p = ServiceProcess.start(dir.resolve("run"), Map.of(
        "XREDLINE_ENV", "prod",
        "JWT_SECRET_KEY", SECRET,
        "DATABASE_URL", "postgresql://app:db-pass-4711@db.internal:5432/app?sslmode=require",
        "REDIS_URL", "redis://:redis-pass-4712@cache.internal:6379/0",
        "TOTP_ENCRYPTION_KEY", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=",
        "XREDLINE_MASTER_KEY", "3q2+7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWc=",
        "XREDLINE_SERVER__HTTP__PORT", "8123"), "config", "check", "--conf", extra.toString())) {
      assertThat(p.awaitExit(EXIT)).as(p.stderr()).isZero();
      assertThat(p.stdout())
          .contains("# xredline effective configuration, env prod")
          .contains("    port: \"8123\"  # from env XREDLINE_SERVER__HTTP__PORT\n")
          .contains("  level: warn  # from " + extra.toAbsolutePath() + "\n")
          .contains("    timeout: 30s  # from conf/config.yaml (jar)\n")
          .contains("    url: \"postgresql://app:****@db.internal:5432/app?sslmode=require\"  # from conf/config-prod.yaml (jar) via ${DATABASE_URL}\n")
          .contains("    enabled: \"false\"  # from conf/config-prod.yaml (jar) via ${XREDLINE_DOCS_ENABLED} unset, default used\n")
          .doesNotContain(SECRET, "db-pass-4711", "redis-pass-4712", "3q2+7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWc=");
      assertThat(p.stderr()).contains("configuration is valid (env prod, 0 warnings)");
      assertThat(p.stdout() + p.stderr()).doesNotContain("HTTP listening");
    }
  }

  @Test
  @DisplayName("a misspelt key: a warning naming the closest key in dev (exit 0), an error in prod (exit 2)")
  void unknownKey(@TempDir Path dir) throws Exception {
    try (ServiceProcess p = ServiceProcess.start(dir.resolve("dev"), Map.of("XREDLINE_SERVER__HTTP__PROT", "9"),
        "config", "check")) {
      assertThat(p.awaitExit(EXIT)).as(p.stderr()).isZero();
      assertThat(p.stderr()).contains("warning: server.http.prot: unknown key; did you mean server.http.port?");
    }
    try (ServiceProcess p = ServiceProcess.start(dir.resolve("prod"), Map.of("XREDLINE_SERVER__HTTP__PROT", "9",
        "XREDLINE_ENV", "prod", "JWT_SECRET_KEY", "short"), "config", "check")) {
      assertThat(p.awaitExit(EXIT)).isEqualTo(2);
      assertThat(p.stderr()).contains("invalid configuration for env prod")
          .contains("  server.http.prot: unknown key; did you mean server.http.port?")
          .contains("  auth.jwt.secret_key: must be at least 32 characters in prod")
          .doesNotContain("\"short\"");
    }
  }

  @Test
  @DisplayName("an unreadable layer names the file and exits 2")
  void brokenLayer(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "server:\n  http:\n    port: [8000\n");
    try (ServiceProcess p = ServiceProcess.start(dir.resolve("run"), Map.of(), "config", "check", "--conf", bad.toString())) {
      assertThat(p.awaitExit(EXIT)).isEqualTo(2);
      assertThat(p.stderr()).contains("  " + bad.toAbsolutePath() + ": could not be read: ");
    }
  }
}
