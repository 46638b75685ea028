package io.xredline.observability;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.xredline.config.AppConfig;
import io.xredline.http.ApiRouter;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP server's request meters resolved once per series ({@link HttpServerMeters}) give the
 * series vertx-micrometer gives: the same traffic through the service's router on two Vert.x
 * instances, one with each, scraped and compared line by line.
 */
@DisplayName("HTTP server meters: vertx-micrometer's series, resolved once per series")
class HttpServerMetersTest {
  private static final AppConfig CONFIG = TestApp.config(Map.of(
      "data.database.url", "postgresql://unused@127.0.0.1:1/none", "data.redis.url", "redis://127.0.0.1:1"));
  /** method, path, body (null: none) */
  private static final List<String[]> TRAFFIC = List.of(
      new String[] {"GET", "/items/1", null}, new String[] {"GET", "/items/22", null},
      new String[] {"POST", "/items", "{\"name\":\"x\"}"}, new String[] {"POST", "/items", "{\"name\":\"longer\"}"},
      new String[] {"GET", "/boom", null}, new String[] {"GET", "/nowhere", null},
      new String[] {"DELETE", "/items/1", null}, new String[] {"GET", "/items/%C0%AF", null},
      new String[] {"HEAD", "/items/3", null});

  @Test
  @DisplayName("same names, labels, help, types, counts and byte sums for 2xx, 4xx, 5xx, unmatched and refused requests")
  void sameSeries() throws Exception {
    Map<String, String> reference = serve(false, TRAFFIC);
    Map<String, String> cached = serve(true, TRAFFIC);
    assertThat(reference).containsKey("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/items/:id\"}")
        .containsKey("vertx_http_server_requests_total{code=\"500\",method=\"GET\",route=\"/boom\"}")
        .containsKey("vertx_http_server_request_bytes_sum{method=\"POST\"}");
    assertThat(cached).isEqualTo(reference);
  }

  @Test
  @DisplayName("a method outside the standard ones is labelled OTHER: a client cannot mint label values")
  void otherMethods() throws Exception {
    List<String[]> odd = List.of(new String[] {"FOO", "/items/1", null}, new String[] {"BAR9", "/items/1", null},
        new String[] {"GET", "/items/1", null});
    Map<String, String> cached = serve(true, odd);
    assertThat(cached.keySet()).noneMatch(line -> line.contains("FOO") || line.contains("BAR9"))
        .anyMatch(line -> line.contains("method=\"OTHER\""))
        .contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/items/:id\"}");
    assertThat(cached.keySet().stream().filter(l -> l.startsWith("vertx_http_server_requests_total{")
        && l.contains("method=\"OTHER\"")).mapToDouble(l -> Double.parseDouble(cached.get(l))).sum()).isEqualTo(2.0);
    assertThat(HttpServerMeters.methodLabel(io.vertx.core.http.HttpMethod.PATCH)).isEqualTo("PATCH");
  }

  /** The request-level vertx_http_server_* lines after {@code traffic}: series → value (durations: counts only). */
  private static Map<String, String> serve(boolean cached, List<String[]> traffic) throws Exception {
    RequestContext.init(); // before the Vert.x instance, as the service does: the router binds request contexts
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxMetricsFactory factory = cached ? VertxMeters.factory(registry) : new MicrometerMetricsFactory(registry);
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(EnumSet.copyOf(Telemetry.LABELS));
    Vertx vertx = Vertx.builder().withMetrics(factory).with(new VertxOptions().setMetricsOptions(options)).build();
    try {
      Router router = ApiRouter.create(vertx, CONFIG);
      router.get("/items/:id").handler(ctx -> ctx.response().end("item " + ctx.pathParam("id")));
      router.post("/items").handler(ctx -> ctx.response().setStatusCode(201).end(ctx.body().asString()));
      router.get("/boom").handler(ctx -> {
        throw new IllegalStateException("boom");
      });
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (String[] r : traffic) {
        HttpRequest.BodyPublisher body = r[2] == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(r[2]);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + r[1]))
            .method(r[0], body).header("X-Request-ID", "fixed-id-of-one-length");
        if (r[2] != null) {
          request.header("Content-Type", "application/json");
        }
        client.send(request.build(), HttpResponse.BodyHandlers.discarding());
      }
      // the last response is written before its meters are: wait until every request is counted
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Map<String, String> lines = lines(registry.scrape());
      while (requests(lines) < traffic.size() && System.nanoTime() < deadline) {
        Thread.sleep(10);
        lines = lines(registry.scrape());
      }
      assertThat(requests(lines)).isEqualTo(traffic.size());
      return lines;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      registry.close();
    }
  }

  private static double requests(Map<String, String> lines) {
    return lines.entrySet().stream().filter(e -> e.getKey().startsWith("vertx_http_server_requests_total{"))
        .mapToDouble(e -> Double.parseDouble(e.getValue())).sum();
  }

  private static final List<String> REQUEST_LEVEL = List.of("vertx_http_server_active_requests",
      "vertx_http_server_requests_total", "vertx_http_server_request_bytes", "vertx_http_server_response_time_seconds",
      "vertx_http_server_response_bytes", "vertx_http_server_request_resets");

  private static Map<String, String> lines(String scrape) {
    Map<String, String> out = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      String series = line.startsWith("# ") ? line : line.substring(0, line.lastIndexOf(' '));
      String value = line.startsWith("# ") ? "" : line.substring(line.lastIndexOf(' ') + 1);
      String name = line.startsWith("# ") ? line.split(" ")[2] : series.split("[{ ]")[0];
      if (REQUEST_LEVEL.stream().noneMatch(name::startsWith)) {
        continue;
      }
      boolean timed = name.startsWith("vertx_http_server_response_time_seconds") && !name.endsWith("_count");
      out.put(series, timed ? "(duration)" : value);
    }
    return out;
  }
}
