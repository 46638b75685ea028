package io.xredline.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.xredline.observability.LogSetup;
import io.xredline.testing.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Hot reload: log.level, features and security.rate_limit follow their file; other keys ask for a restart")
class ConfigWatchTest {
  @TempDir
  Path dir;
  private Vertx vertx;
  private ConfigWatch watch;
  private String levelBefore;
  private long mtime = System.currentTimeMillis();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    levelBefore = LogSetup.level();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (watch != null) {
      watch.stop();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    LogSetup.level(levelBefore);
  }

  private Path write(Path file, String yaml) throws Exception {
    Files.writeString(file, yaml);
    mtime += 2000;
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime));
    return file;
  }

  private static void await(BooleanSupplier condition, String what) {
    io.xredline.testing.Eventually.await(what, condition);
  }

  private ConfigWatch start(Path file) throws Exception {
    ConfigLoader.Sources sources = new ConfigLoader.Sources("test", List.of(file), Map.of(), new Properties());
    AppConfig initial = ConfigParser.parse(ConfigLoader.load(vertx, sources).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS), "test");
    LogSetup.level(initial.log().level());
    return ConfigWatch.start(vertx, sources, initial, Duration.ofMillis(100),
            (previous, next) -> LogSetup.level(next.log().level()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("changing log.level in a --conf file changes the root level without a restart")
  void logLevel() throws Exception {
    Path file = write(dir.resolve("app.yaml"), "log:\n  level: info\n");
    watch = start(file);
    assertThat(LogSetup.level()).isEqualTo("info");

    write(file, "log:\n  level: debug\n");
    await(() -> "debug".equals(LogSetup.level()), "root level debug");
    assertThat(watch.current().log().level()).isEqualTo("debug");

    write(file, "log:\n  level: error\n");
    await(() -> "error".equals(LogSetup.level()), "root level error");
  }

  @Test
  @DisplayName("features and security.rate_limit changes are published on xredline.config.changed")
  void featuresAndRateLimit() throws Exception {
    Path file = write(dir.resolve("app.yaml"), "features:\n  beta: false\n");
    watch = start(file);
    List<JsonObject> changes = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(ConfigWatch.CHANGED, m -> changes.add(m.body()));

    write(file, "features:\n  beta: true\nsecurity:\n  rate_limit:\n    enabled: false\n    default:\n"
        + "      requests_per_second: 7\n    policies:\n      login_ip: {limit: 3, per: 5m}\n");
    await(() -> !changes.isEmpty(), "a change event");
    assertThat(changes.get(0).getJsonObject("features").getBoolean("beta")).isTrue();
    // the section as the files have it; the running limiters read it with the parser
    AppConfig.RateLimit published = ConfigParser.rateLimit(changes.get(0).getJsonObject("rate_limit"));
    assertThat(published.enabled()).isFalse();
    assertThat(published.defaultRate().requestsPerSecond()).isEqualTo(7);
    assertThat(published.policy("login_ip")).isEqualTo(new AppConfig.Policy("ip", 3, Duration.ofMinutes(5)));
    assertThat(published.policy("register_ip").limit()).as("shipped default for what the file leaves out").isEqualTo(5);
    assertThat(watch.current().security().rateLimit().enabled()).isFalse();
  }

  @Test
  @DisplayName("a key that needs a restart is logged as such and not applied; an invalid file is ignored")
  void restartNeededAndInvalid() throws Exception {
    Path file = write(dir.resolve("app.yaml"), "server:\n  http:\n    port: 8100\n");
    watch = start(file);
    try (CapturedLogs logs = CapturedLogs.json()) {
      write(file, "server:\n  http:\n    port: 8200\n");
      await(() -> logs.lines().stream().anyMatch(l -> l.contains("need a restart") && l.contains("server.http.port")),
          "the restart-needed line");
      assertThat(watch.current().server().http().port()).isEqualTo(8100);

      write(file, "log:\n  level: verbose\n");
      await(() -> logs.lines().stream().anyMatch(l -> l.contains("configuration change ignored")), "the ignored line");
      assertThat(LogSetup.level()).isEqualTo("warn");
    }
  }
}
