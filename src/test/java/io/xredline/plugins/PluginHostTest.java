package io.xredline.plugins;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.plugins.fixtures.snoop.SnoopPlugin;
import io.xredline.plugins.fixtures.stuck.StuckPlugin;
import io.xredline.plugins.fixtures.throwing.ThrowingPlugin;
import io.xredline.plugins.fixtures.vetoer.VetoerPlugin;
import io.xredline.testing.Eventually;
import io.xredline.testing.PluginJars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin host on a bare Vert.x with plugin jars made like a plugin author makes them: hook
 * answers, sanitised vetoes, worker contexts, the timeout, the breaker and the bus wall.
 */
@DisplayName("Plugin host: hooks, sandbox timeout, circuit breaker and protected addresses")
class PluginHostTest {
  @TempDir
  Path dir;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private void host(Duration timeout, Duration coolDown, Map<String, JsonObject> settings) throws Exception {
    AppConfig.Plugins config = new AppConfig.Plugins(true, dir, timeout, 3, coolDown, settings);
    vertx.deployVerticle(new PluginHost(config)).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private PluginsApi.Verdict ask(PluginsApi.Hook hook, JsonObject payload, Duration timeout) throws Exception {
    return PluginsApi.ask(vertx.eventBus(), hook, payload, "req-1", timeout)
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private JsonObject plugin(String name) throws Exception {
    JsonArray all = PluginsApi.list(vertx.eventBus(), null, 5000).toCompletionStage().toCompletableFuture()
        .get(20, TimeUnit.SECONDS).getJsonArray("plugins");
    return all.stream().map(JsonObject.class::cast).filter(p -> name.equals(p.getString("name"))).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("a veto comes back with the plugin's name and its message made one short plain line")
  void vetoIsSanitised() throws Exception {
    PluginJars.build(dir, "vetoer", VetoerPlugin.class);
    host(Duration.ofSeconds(5), Duration.ofSeconds(30), Map.of());

    PluginsApi.Verdict v = ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject().put("login", "block_me"), Duration.ofSeconds(5));
    assertThat(v.vetoed()).isTrue();
    assertThat(v.plugin()).isEqualTo("vetoer");
    assertThat(v.message()).doesNotContain("<").doesNotContain(">").doesNotContain("\n").doesNotContain("\u0000")
        .startsWith("script alert(1) /script not today x").hasSizeLessThanOrEqualTo(200);
    JsonObject listed = plugin("vetoer");
    assertThat(listed.getString("version")).isEqualTo("2.1.0");
    assertThat(listed.getString("state")).isEqualTo("active");
    assertThat(listed.getJsonArray("hooks").getList()).as("an unknown hook name is dropped").containsExactly("before-login");
    assertThat(listed.getString("source")).isEqualTo("vetoer.jar");
  }

  @Test
  @DisplayName("a plugin runs on a worker of its own pool with its own config block; annotations come back by plugin")
  void ownWorkerAndConfig() throws Exception {
    PluginJars.build(dir, "vetoer", VetoerPlugin.class);
    host(Duration.ofSeconds(5), Duration.ofSeconds(30), Map.of("vetoer", new JsonObject().put("setting", "hello")));

    PluginsApi.Verdict v = ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject().put("login", "alice"), Duration.ofSeconds(5));
    assertThat(v.vetoed()).isFalse();
    JsonObject notes = v.annotations().getJsonObject("vetoer");
    assertThat(notes.getBoolean("worker")).isTrue();
    assertThat(notes.getString("thread")).startsWith("xredline-plugin-vetoer");
    assertThat(notes.getString("setting")).isEqualTo("hello");
  }

  @Test
  @DisplayName("stuck and throwing plugins: the answer comes within the timeout with the others' answers; 3 failures in a row open their breaker, the cool-down half-opens it")
  void timeoutAndBreaker() throws Exception {
    PluginJars.build(dir, "a-stuck", StuckPlugin.class);
    PluginJars.build(dir, "b-throwing", ThrowingPlugin.class);
    PluginJars.build(dir, "c-vetoer", VetoerPlugin.class);
    host(Duration.ofMillis(300), Duration.ofSeconds(2), Map.of("stuck", new JsonObject().put("sleep_ms", 2_000)));

    for (int i = 0; i < 3; i++) {
      // the caller's own bound is twice the sandbox timeout: the host must answer before it to keep the vetoer's notes
      PluginsApi.Verdict v = ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject().put("login", "alice"), Duration.ofMillis(300));
      assertThat(v.vetoed()).as("the stuck plugin's late veto does not count").isFalse();
      assertThat(v.annotations().containsKey("vetoer")).as("answer %d carries the fast plugin's notes", i).isTrue();
    }
    assertThat(plugin("stuck").getString("state")).isEqualTo("open");
    assertThat(plugin("stuck").getInteger("failures")).isEqualTo(3);
    assertThat(plugin("throwing").getString("state")).isEqualTo("open");
    assertThat(plugin("vetoer").getString("state")).isEqualTo("active");
    // open: not asked at all, so the answer no longer waits for it
    long calls = plugin("stuck").getLong("calls");
    ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject().put("login", "alice"), Duration.ofMillis(300));
    assertThat(plugin("stuck").getLong("calls")).isEqualTo(calls);

    Eventually.await("stuck half open after its cool-down", () -> {
      try {
        return "half_open".equals(plugin("stuck").getString("state"));
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  @DisplayName("a plugin that sends to an auth address is refused at once and stopped; one that listens on one gets nothing")
  void protectedAddresses() throws Exception {
    PluginJars.build(dir, "snoop", SnoopPlugin.class);
    vertx.eventBus().<JsonObject>localConsumer("xredline.auth.authenticate", m -> m.reply(new JsonObject().put("secret", "t0ken")));
    host(Duration.ofSeconds(5), Duration.ofSeconds(30), Map.of());

    // from the service's own code the protected address works, and the plugin's consumer gets nothing
    Throwable refused = null;
    for (int i = 0; i < 4 && refused == null; i++) {
      try {
        vertx.eventBus().request("xredline.auth.snooped", new JsonObject().put("code", "123456"))
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        refused = e.getCause();
      }
    }
    assertThat(refused).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(403);
    Eventually.await("snoop stopped", () -> {
      try {
        JsonObject p = plugin("snoop");
        return "failed".equals(p.getString("state")) && p.getString("problem").contains("xredline.auth.snooped");
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(ask(PluginsApi.Hook.BEFORE_REGISTER, new JsonObject(), Duration.ofSeconds(5)).vetoed()).isFalse();
  }

  @Test
  @DisplayName("the plugin's own send to a protected address fails with 403 at once")
  void sendRefused() throws Exception {
    PluginJars.build(dir, "snoop", SnoopPlugin.class);
    java.util.concurrent.atomic.AtomicInteger reached = new java.util.concurrent.atomic.AtomicInteger();
    vertx.eventBus().<JsonObject>localConsumer("xredline.auth.authenticate", m -> {
      reached.incrementAndGet();
      m.reply(new JsonObject());
    });
    host(Duration.ofSeconds(5), Duration.ofSeconds(30), Map.of());

    assertThat(ask(PluginsApi.Hook.BEFORE_REGISTER, new JsonObject(), Duration.ofSeconds(5)).vetoed()).isFalse();
    Eventually.await("snoop stopped for its send", () -> {
      try {
        JsonObject p = plugin("snoop");
        return "failed".equals(p.getString("state")) && p.getString("problem").contains("xredline.auth.authenticate");
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(reached.get()).as("the auth consumer never saw the plugin's request").isZero();
  }

  @Test
  @DisplayName("no host, no plugin, or a plugin switched off in its block: every hook answers allow")
  void absent() throws Exception {
    assertThat(ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject(), Duration.ofSeconds(5)).vetoed()).isFalse();
    PluginJars.build(dir, "vetoer", VetoerPlugin.class);
    host(Duration.ofSeconds(5), Duration.ofSeconds(30), Map.of("vetoer", new JsonObject().put("enabled", false)));
    assertThat(ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject().put("login", "block_x"), Duration.ofSeconds(5)).vetoed()).isFalse();
    assertThat(plugin("vetoer").getString("state")).isEqualTo("disabled");
  }
}
