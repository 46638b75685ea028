package io.xredline.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.xredline.config.AppConfig;
import io.xredline.health.HealthApi;
import io.xredline.observability.AccessLog;
import io.xredline.testing.CapturedLogs;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Liveness in front of the router (LiveLane): the same answer, headers, access line and meters as the router gives")
class LiveLaneTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    // the report stands for minutes: after the first probe on a connection, the lane answers
    app = TestApp.start("livelane", Map.of("monitoring.health.cache_ttl", "5m"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** Header names and their values, sorted; the request id is checked on its own. */
  private static List<String> headers(HttpResponse<String> response) {
    return response.headers().map().entrySet().stream()
        .filter(e -> !e.getKey().equalsIgnoreCase("x-request-id"))
        .map(e -> e.getKey().toLowerCase() + ": " + e.getValue())
        .sorted()
        .collect(Collectors.toList());
  }

  private static long liveRequests() {
    String prefix = "vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/healthz/live\"} ";
    return app.get("/metrics").body().lines().filter(l -> l.startsWith(prefix))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(prefix.length()).trim())).sum();
  }

  @Test
  @DisplayName("a plain probe and one the router answers (a query string) get the same status, body and headers")
  void sameAnswer() {
    app.get("/healthz/live");
    HttpResponse<String> lane = app.get("/healthz/live");
    HttpResponse<String> routed = app.get("/healthz/live?via=router");
    assertThat(lane.statusCode()).isEqualTo(200).isEqualTo(routed.statusCode());
    assertThat(TestApp.json(lane).getString("status")).isEqualTo("UP");
    assertThat(TestApp.json(lane).fieldNames()).isEqualTo(TestApp.json(routed).fieldNames());
    assertThat(headers(lane)).isEqualTo(headers(routed))
        .anySatisfy(h -> assertThat(h).startsWith("x-content-type-options: "))
        .anySatisfy(h -> assertThat(h).isEqualTo("cache-control: [no-store]"));
    assertThat(lane.headers().firstValue("X-Request-ID")).hasValueSatisfying(id -> assertThat(id)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  }

  @Test
  @DisplayName("request id: a sane one is echoed, anything else replaced; the alias path answers alike")
  void requestIds() {
    app.get("/healthz/live");
    assertThat(app.get("/healthz/live", "X-Request-ID", "lane-rid-1").headers().firstValue("X-Request-ID"))
        .hasValue("lane-rid-1");
    assertThat(app.get("/health/live", "X-Request-ID", "bad id!").headers().firstValue("X-Request-ID"))
        .hasValueSatisfying(id -> assertThat(id).isNotEqualTo("bad id!").hasSize(36));
  }

  @Test
  @DisplayName("one access line per probe, with route, status, client address and the caller's trace id")
  void accessLine() throws Exception {
    app.get("/healthz/live");
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    try (CapturedLogs logs = CapturedLogs.json()) {
      app.get("/healthz/live", "X-Request-ID", "lane-access-1", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
      List<JsonObject> lines = Eventually.value("the access line", () -> logs.json(
          l -> "lane-access-1".equals(l.getString("request_id")) && AccessLog.LOGGER.equals(l.getString("logger"))),
          found -> !found.isEmpty());
      assertThat(lines).hasSize(1);
      JsonObject line = lines.get(0);
      assertThat(line.getString("method")).isEqualTo("GET");
      assertThat(line.getString("route")).isEqualTo("/healthz/live");
      assertThat(line.getInteger("status")).isEqualTo(200);
      assertThat(line.getString("remote_ip")).isEqualTo("127.0.0.1");
      assertThat(line.getString("trace_id")).isEqualTo(trace);
      assertThat(line.getString("span_id")).matches("[0-9a-f]{16}");
    }
  }

  @Test
  @DisplayName("every probe is counted under its route, whichever way it was answered")
  void meters() {
    app.get("/healthz/live");
    long before = liveRequests();
    for (int i = 0; i < 5; i++) {
      assertThat(app.get("/healthz/live").statusCode()).isEqualTo(200);
    }
    assertThat(app.get("/healthz/live?via=router").statusCode()).isEqualTo(200);
    assertThat(liveRequests() - before).isEqualTo(6);
  }
}
