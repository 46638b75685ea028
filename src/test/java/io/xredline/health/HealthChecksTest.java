package io.xredline.health;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Health checks: startup gating, per-check timeouts, result cache, blocked event loops")
class HealthChecksTest {

  private static JsonObject query(Vertx vertx, HealthApi.Probe probe) {
    try {
      return HealthApi.query(vertx.eventBus(), probe, 5_000).map(HealthApi.Report::body)
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("health query " + probe + " failed: " + e, e);
    }
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

      // each report is awaited through what it changes, so no assertion races the lifecycle message
      HealthApi.report(vertx.eventBus(), HealthApi.Phase.MIGRATED);
      JsonObject migrated = Eventually.value("startup sees the migrations done", () -> query(vertx, HealthApi.Probe.STARTUP),
          r -> "done".equals(check(r, "startup").getJsonObject("data").getString("migrations")));
      assertThat(migrated.getString("status")).as("deployments still pending").isEqualTo("DOWN");

      HealthApi.report(vertx.eventBus(), HealthApi.Phase.STARTED);
      Eventually.await("startup UP", () -> "UP".equals(query(vertx, HealthApi.Probe.STARTUP).getString("status")));
      assertThat(query(vertx, HealthApi.Probe.READY).getString("status")).isEqualTo("UP");

      HealthApi.report(vertx.eventBus(), HealthApi.Phase.DRAINING);
      JsonObject draining = Eventually.value("readiness DOWN while draining", () -> query(vertx, HealthApi.Probe.READY),
          r -> "DOWN".equals(r.getString("status")));
      assertThat(check(draining, "lifecycle").getJsonObject("data").getBoolean("draining")).isTrue();
      assertThat(query(vertx, HealthApi.Probe.LIVE).getString("status")).isEqualTo("UP");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      TestBackends.dropDatabase(db);
    }
  }

  /** A TCP server that accepts connections and never answers; closing it turns the dependency into "refused". */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

    SilentServer() throws java.io.IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            accepted.add(socket.accept());
          } catch (Exception e) {
            return;
          }
        }
      }, "silent-dependency");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/health";
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  @DisplayName("a dependency that never answers is DOWN after check_timeout (not later, not hanging); results are cached for cache_ttl")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void timeoutAndCache() throws Exception {
    SilentServer silent = new SilentServer();
    try (TestApp app = TestApp.start("healthtimeout", Map.of(
        "monitoring.health.check_timeout", "300ms",
        "monitoring.health.cache_ttl", "5m",
        "monitoring.health.http_dependencies.billing", silent.url()))) {
      var first = app.get("/healthz/ready");
      assertThat(first.statusCode()).isEqualTo(503);
      JsonObject billing = check(TestApp.json(first), "http:billing");
      assertThat(billing.getString("status")).isEqualTo("DOWN");
      assertThat(billing.getJsonObject("data").getString("error")).as("the timeout, not a hang: " + billing).isNotBlank();
      assertThat(billing.getJsonObject("data").getDouble("duration_ms")).as("waited for check_timeout: " + billing).isGreaterThanOrEqualTo(300.0);
      assertThat(check(TestApp.json(first), "database").getString("status")).isEqualTo("UP");

      silent.close();
      // within cache_ttl (five minutes: far beyond this test on any machine) the answer is the cached one, even though
      // the dependency has changed meanwhile
      assertThat(app.get("/healthz/ready").body()).as("served from the cache within cache_ttl").isEqualTo(first.body());
      assertThat(app.get("/healthz/live").statusCode()).as("liveness ignores HTTP dependencies").isEqualTo(200);

      // within cache_ttl each HTTP listener instance answers liveness from the verticle's cached
      // report: it asks the health verticle at most once, however many probes arrive
      java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
      io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> count = ctx -> {
        if (HealthApi.QUERY.equals(ctx.message().address()) && ctx.message().body() instanceof JsonObject q
            && "live".equals(q.getString("probe"))) {
          asked.incrementAndGet();
        }
        ctx.next();
      };
      app.app().vertx().eventBus().addOutboundInterceptor(count);
      try {
        for (int i = 0; i < 40; i++) {
          var live = app.get("/healthz/live");
          assertThat(live.statusCode()).isEqualTo(200);
          assertThat(check(TestApp.json(live), "event-loop").getString("status")).isEqualTo("UP");
        }
      } finally {
        app.app().vertx().eventBus().removeOutboundInterceptor(count);
      }
      assertThat(asked.get()).as("liveness queries on the bus for 40 probes").isLessThanOrEqualTo(
          app.config().server().http().instances());
    } finally {
      silent.close();
    }
  }

  @Test
  @DisplayName("after cache_ttl the checks run again: a dependency that changed is reported as it is now")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void recheckedAfterTtl() throws Exception {
    SilentServer silent = new SilentServer();
    try (TestApp app = TestApp.start("healthrecheck", Map.of(
        "monitoring.health.check_timeout", "300ms",
        "monitoring.health.cache_ttl", "200ms",
        "monitoring.health.http_dependencies.billing", silent.url()))) {
      String timedOut = check(TestApp.json(app.get("/healthz/ready")), "http:billing").getJsonObject("data").getString("error");
      silent.close();
      String now = Eventually.value("billing re-checked once cache_ttl passed",
          () -> check(TestApp.json(app.get("/healthz/ready")), "http:billing").getJsonObject("data").getString("error"),
          error -> error != null && !error.equals(timedOut));
      assertThat(now).as("the refused connection of now, not the cached timeout").isNotEqualTo(timedOut);
    } finally {
      silent.close();
    }
  }

  /** Registers a heartbeat on its event loop, then blocks that loop from "test.block" until {@link #release}. */
  static final class BlockingVerticle extends VerticleBase {
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    @Override
    public Future<?> start() {
      EventLoopProbe.start(vertx, "test-blocker");
      vertx.eventBus().<Long>localConsumer("test.block", msg -> {
        try {
          released.await(Eventually.BOUND.toSeconds() * 2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      return Future.succeededFuture();
    }

    void release() {
      released.countDown();
    }
  }

  /** Liveness; null when the request found its connection on the blocked loop and got no answer. */
  private static java.net.http.HttpResponse<String> live(TestApp app) {
    try {
      return TestApp.send(java.net.http.HttpRequest.newBuilder(app.uri("/healthz/live"))
          .timeout(java.time.Duration.ofSeconds(2)).build());
    } catch (IllegalStateException timedOut) {
      return null;
    }
  }

  @Test
  @DisplayName("liveness goes DOWN while an event loop is blocked longer than event_loop_max_delay, and recovers")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void blockedEventLoop() throws Exception {
    try (TestApp app = TestApp.start("blockedloop", Map.of(
        "monitoring.health.event_loop_max_delay", "500ms", "monitoring.health.cache_ttl", "0s"))) {
      Vertx vertx = app.app().vertx();
      BlockingVerticle blocker = new BlockingVerticle();
      vertx.deployVerticle(blocker, new DeploymentOptions()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(app.get("/healthz/live").statusCode()).isEqualTo(200);
      vertx.eventBus().send("test.block", 0L);
      try {
        var down = Eventually.value("liveness reports the blocked loop", () -> live(app),
            r -> r != null && r.statusCode() == 503);
        assertThat(check(TestApp.json(down), "event-loop").getJsonObject("data").getLong("max_delay_ms")).isGreaterThan(500);
      } finally {
        blocker.release();
      }
      int status = Eventually.value("liveness UP again once the loop runs (after the lag window)", () -> live(app),
          r -> r != null && r.statusCode() == 200).statusCode();
      assertThat(status).as("liveness recovers once the loop runs again (after the lag window)").isEqualTo(200);
    }
  }
}
