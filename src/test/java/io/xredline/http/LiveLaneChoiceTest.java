package io.xredline.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.xredline.config.AppConfig;
import io.xredline.health.HealthApi;
import io.xredline.observability.RequestContext;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lane in front of a router that counts every request reaching it, and a stand-in for the
 * health verticle's side of the probe that says how long its report stands.
 */
@DisplayName("LiveLane: only a plain GET of a liveness path on a standing report skips the router")
class LiveLaneChoiceTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final AtomicInteger ROUTED = new AtomicInteger();
  /** What the stand-in says its report stands until (System.nanoTime). */
  private static final AtomicLong FRESH_UNTIL = new AtomicLong();
  private static Vertx vertx;
  private static HttpServer server;

  @BeforeAll
  static void start() throws Exception {
    RequestContext.init(); // as the service does: its context local exists before the first Vert.x
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(HealthApi.QUERY, message -> message.reply(
        new JsonObject().put("status", "UP").put("checks", new JsonArray()).put("outcome", "UP"),
        new DeliveryOptions().addHeader(HealthApi.FRESH_UNTIL_HEADER, Long.toString(FRESH_UNTIL.get()))));
    AppConfig config = TestApp.config(Map.of());
    HealthRoutes health = new HealthRoutes(5000);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ROUTED.incrementAndGet();
      ctx.next();
    });
    health.mount(router);
    router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
    server = vertx.createHttpServer().requestHandler(LiveLane.inFrontOf(router, health, new RequestFront(config), config))
        .listen(0).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static int send(String method, String path, HttpRequest.BodyPublisher body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .timeout(Duration.ofSeconds(20)).method(method, body);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static int get(String path, String... headers) throws Exception {
    return send("GET", path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  @Test
  @DisplayName("stale report: every probe reaches the router; standing: plain probes skip it, anything else reaches it")
  void lanes() throws Exception {
    FRESH_UNTIL.set(System.nanoTime() - 1);
    int before = ROUTED.get();
    for (int i = 0; i < 3; i++) {
      assertThat(get("/healthz/live")).isEqualTo(200);
    }
    assertThat(ROUTED.get() - before).as("a report that no longer stands: the router asks again, every time").isEqualTo(3);

    FRESH_UNTIL.set(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
    before = ROUTED.get();
    assertThat(get("/healthz/live")).isEqualTo(200);
    assertThat(ROUTED.get() - before).as("the stale report is replaced through the router").isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      assertThat(get("/healthz/live")).isEqualTo(200);
      assertThat(get("/health/live")).isEqualTo(200);
    }
    assertThat(ROUTED.get() - before).as("answered in front of the router").isEqualTo(1);

    before = ROUTED.get();
    assertThat(get("/healthz/live?x=1")).isEqualTo(200);
    assertThat(send("GET", "/healthz/live", HttpRequest.BodyPublishers.ofString("body"))).isEqualTo(200);
    assertThat(get("/healthz/live", "Content-Type", "application/x-www-form-urlencoded")).isEqualTo(200);
    assertThat(send("POST", "/healthz/live", HttpRequest.BodyPublishers.noBody())).isEqualTo(404);
    assertThat(send("HEAD", "/healthz/live", HttpRequest.BodyPublishers.noBody())).isEqualTo(404);
    assertThat(get("/healthz/ready")).isEqualTo(200);
    assertThat(get("/healthz/livex")).isEqualTo(404);
    assertThat(get("/healthz/live/")).isEqualTo(200);
    assertThat(ROUTED.get() - before).as("query, body, content type, other methods and paths go to the router")
        .isEqualTo(8);
  }

  @Test
  @DisplayName("with CORS configured the router answers everything (its handler decides Vary for every request)")
  void cors() {
    AppConfig config = TestApp.config(Map.of("security.cors.allowed_origins", "https://app.example.com"));
    Router router = Router.router(vertx);
    assertThat(LiveLane.inFrontOf(router, new HealthRoutes(5000), new RequestFront(config), config)).isSameAs(router);
  }
}
