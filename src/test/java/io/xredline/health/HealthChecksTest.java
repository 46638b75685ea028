package io.xredline.health;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Health checks: startup gating, per-check timeouts, result cache, blocked event loops")
class HealthChecksTest {

  private static JsonObject query(Vertx vertx, HealthApi.Probe probe) throws Exception {
    return HealthApi.query(vertx.eventBus(), probe, 5_000).map(HealthApi.Report::body)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static JsonObject check(JsonObject report, String id) {
    return report.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow(() -> new AssertionError(id + " in " + report));
  }

  @Test
  @DisplayName("startup and readiness stay DOWN until migrations and deployments are reported done")
  void startupGating() throws Exception {
    String db = TestBackends.freshDatabase("startupgate");
    Map<String, String> overrides = TestApp.defaults("startupgate");
    overrides.put("data.database.url", db);
    overrides.put("monitoring.health.cache_ttl", "0s");
    AppConfig config = TestApp.config(overrides);
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new HealthVerticle(config, new Backends(db, "db", TestBackends.redisUrl(), "redis"), null))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      JsonObject startup = query(vertx, HealthApi.Probe.STARTUP);
      assertThat(startup.getString("status")).isEqualTo("DOWN");
      assertThat(check(startup, "startup").getJsonObject("data").getString("migrations")).isEqualTo("pending");
      assertThat(query(vertx, HealthApi.Probe.READY).getString("status")).isEqualTo("DOWN");
      assertThat(query(vertx, HealthApi.Probe.LIVE).getString("status")).isEqualTo("UP");

      HealthApi.report(vertx.eventBus(), HealthApi.Phase.MIGRATED);
      Thread.sleep(100);
      assertThat(query(vertx, HealthApi.Probe.STARTUP).getString("status")).isEqualTo("DOWN");

      HealthApi.report(vertx.eventBus(), HealthApi.Phase.STARTED);
      Thread.sleep(100);
      assertThat(query(vertx, HealthApi.Probe.STARTUP).getString("status")).isEqualTo("UP");
      assertThat(query(vertx, HealthApi.Probe.READY).getString("status")).isEqualTo("UP");

      HealthApi.report(vertx.eventBus(), HealthApi.Phase.DRAINING);
      Thread.sleep(100);
      JsonObject draining = query(vertx, HealthApi.Probe.READY);
      assertThat(draining.getString("status")).isEqualTo("DOWN");
      assertThat(check(draining, "lifecycle").getJsonObject("data").getBoolean("draining")).isTrue();
      assertThat(query(vertx, HealthApi.Probe.LIVE).getString("status")).isEqualTo("UP");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      TestBackends.dropDatabase(db);
    }
  }

  @Test
  @DisplayName("a dependency that never answers is DOWN after check_timeout, and results are cached for cache_ttl")
  void timeoutAndCache() throws Exception {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!silent.isClosed()) {
          try {
            accepted.add(silent.accept());
          } catch (Exception e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (TestApp app = TestApp.start("healthtimeout", Map.of(
          "monitoring.health.check_timeout", "300ms",
          "monitoring.health.cache_ttl", "3s",
          "monitoring.health.http_dependencies.billing", "http://127.0.0.1:" + silent.getLocalPort() + "/health"))) {
        long begin = System.nanoTime();
        var first = app.get("/healthz/ready");
        long tookMs = (System.nanoTime() - begin) / 1_000_000;
        assertThat(first.statusCode()).isEqualTo(503);
        JsonObject billing = check(TestApp.json(first), "http:billing");
        assertThat(billing.getString("status")).isEqualTo("DOWN");
        assertThat(tookMs).isLessThan(2_000);
        assertThat(check(TestApp.json(first), "database").getString("status")).isEqualTo("UP");

        var second = app.get("/healthz/ready");
        assertThat(second.body()).as("served from the cache within cache_ttl").isEqualTo(first.body());
        Thread.sleep(3_200);
        assertThat(app.get("/healthz/ready").body()).as("re-checked after cache_ttl").isNotEqualTo(first.body());
        assertThat(app.get("/healthz/live").statusCode()).as("liveness ignores HTTP dependencies").isEqualTo(200);
      }
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  /** Registers a heartbeat on its event loop, then blocks that loop when asked. */
  static final class BlockingVerticle extends VerticleBase {
    @Override
    public Future<?> start() {
      EventLoopProbe.start(vertx, "test-blocker");
      vertx.eventBus().<Long>localConsumer("test.block", msg -> {
        long until = System.currentTimeMillis() + msg.body();
        while (System.currentTimeMillis() < until) {
          Thread.onSpinWait();
        }
      });
      return Future.succeededFuture();
    }
  }

  @Test
  @DisplayName("liveness goes DOWN while an event loop is blocked longer than event_loop_max_delay, and recovers")
  void blockedEventLoop() throws Exception {
    try (TestApp app = TestApp.start("blockedloop", Map.of(
        "monitoring.health.event_loop_max_delay", "500ms", "monitoring.health.cache_ttl", "0s"))) {
      Vertx vertx = app.app().vertx();
      vertx.deployVerticle(new BlockingVerticle(), new DeploymentOptions())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(app.get("/healthz/live").statusCode()).isEqualTo(200);
      vertx.eventBus().send("test.block", 2_500L);
      boolean sawDown = false;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_400);
      while (System.nanoTime() < deadline && !sawDown) {
        var live = app.get("/healthz/live");
        if (live.statusCode() == 503) {
          sawDown = true;
          assertThat(check(TestApp.json(live), "event-loop").getJsonObject("data").getLong("max_delay_ms")).isGreaterThan(500);
        }
        Thread.sleep(100);
      }
      assertThat(sawDown).as("liveness reported the blocked loop").isTrue();
      long recoverBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      int status = 0;
      while (System.nanoTime() < recoverBy && status != 200) {
        Thread.sleep(200);
        status = app.get("/healthz/live").statusCode();
      }
      assertThat(status).as("liveness recovers once the loop runs again (after the lag window)").isEqualTo(200);
    }
  }
}
