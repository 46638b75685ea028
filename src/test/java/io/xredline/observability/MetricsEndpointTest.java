package io.xredline.observability;

import io.micrometer.core.instrument.Metrics;
import io.vertx.redis.client.RedisAPI;
import io.xredline.data.RedisClients;
import io.xredline.testing.Eventually;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.SlowQueries;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("GET /metrics exports CONTRACT §6's meters with bounded labels and SLO buckets")
class MetricsEndpointTest {
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("metrics", Map.of("data.database.slow_query_threshold", SlowQueries.THRESHOLD));
    SlowQueries.slowGreetings(app.databaseUrl());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static MetricsScrape scrape() {
    return MetricsScrape.of(app);
  }

  private static long routeSeries(MetricsScrape scrape) {
    return scrape.samples("vertx_http_server_requests_total").size();
  }

  /**
   * A scrape that already counts the request just answered on {@code route} and an earlier scrape:
   * a request's meters are recorded when its response ends on the server, which can come after
   * the client has read the answer and sent the next request.
   */
  private static MetricsScrape settled(String route, String code) {
    return Eventually.value("the last " + route + " and /metrics requests are counted", MetricsEndpointTest::scrape,
        s -> s.sum("vertx_http_server_requests_total", Map.of("route", route, "code", code)) >= 1
            && s.sum("vertx_http_server_requests_total", Map.of("route", "/metrics", "code", "200")) >= 1);
  }

  @Test
  @DisplayName("1,000 distinct names on /helloworld/:name add no series: the route label is the template")
  void routeLabelIsBounded() {
    app.get("/helloworld/warmup");
    long before = routeSeries(settled("/helloworld/:name", "200"));
    IntStream.range(0, 1000).parallel().forEach(i -> assertThat(app.get("/helloworld/user" + i).statusCode()).isEqualTo(200));
    MetricsScrape after = Eventually.value("the 1,001 greetings are counted", MetricsEndpointTest::scrape,
        s -> s.sum("vertx_http_server_requests_total", Map.of("route", "/helloworld/:name", "code", "200")) >= 1001);

    assertThat(routeSeries(after)).isEqualTo(before);
    assertThat(after.sum("vertx_http_server_requests_total", Map.of("route", "/helloworld/:name", "code", "200")))
        .isGreaterThanOrEqualTo(1001);
    assertThat(after.text()).doesNotContain("user999").doesNotContain("/helloworld/warmup");
  }

  @Test
  @DisplayName("the same holds for /api/v1/auth/lock-status/:username once the auth routes exist")
  void lockStatusRouteIsBounded() {
    var probe = app.get("/api/v1/auth/lock-status/someone");
    org.junit.jupiter.api.Assumptions.assumeTrue(probe.statusCode() != 404, "auth routes are not in this build yet");
    long before = routeSeries(settled("/api/v1/auth/lock-status/:username", String.valueOf(probe.statusCode())));
    IntStream.range(0, 1000).parallel().forEach(i -> app.get("/api/v1/auth/lock-status/user" + i));
    MetricsScrape after = scrape();
    assertThat(routeSeries(after)).isEqualTo(before);
    assertThat(after.text()).doesNotContain("lock-status/user");
  }

  @Test
  @DisplayName("HTTP latency is a histogram with buckets from 5ms to 10s")
  void sloBuckets() {
    app.get("/helloworld/buckets");
    List<String> les = settled("/helloworld/:name", "200").samples("vertx_http_server_response_time_seconds_bucket").stream()
        .filter(s -> "/helloworld/:name".equals(s.labels().get("route"))).map(s -> s.labels().get("le")).distinct().toList();
    assertThat(les).contains("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf");
  }

  @Test
  @DisplayName("each named query is timed and a query over the slow threshold is counted")
  void queryMeters() {
    MetricsScrape before = scrape();
    app.get("/helloworld/" + SlowQueries.NAME_PREFIX + "query-meter");
    MetricsScrape scrape = scrape();
    assertThat(scrape.sum("xredline_db_query_seconds_count", Map.of("query", "greetings.insert"))).isGreaterThanOrEqualTo(1);
    assertThat(scrape.samples("xredline_db_query_seconds_bucket")).anySatisfy(s -> assertThat(s.labels()).containsEntry("le", "0.005"));
    assertThat(scrape.sum("xredline_db_slow_queries_total", Map.of("query", "greetings.insert"))
        - before.sum("xredline_db_slow_queries_total", Map.of("query", "greetings.insert")))
        .as("the INSERT that slept %s counted as slow", SlowQueries.SLEEP).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("Redis lookups through the shared client count hits and misses per cache namespace")
  void cacheLookups() throws Exception {
    RedisAPI redis = RedisClients.api(app.app().vertx(), app.config().data().redis(), app.app().backends().redisUrl());
    String prefix = app.config().data().redis().keyPrefix();
    try {
      await(redis.set(List.of(prefix + "captcha:present", "x")));
      await(redis.get(prefix + "captcha:present"));
      await(redis.get(prefix + "captcha:absent"));
      await(redis.exists(List.of(prefix + "captcha:absent")));
    } finally {
      redis.close();
    }
    MetricsScrape scrape = scrape();
    assertThat(scrape.sum("xredline_cache_requests_total", Map.of("cache", "captcha", "result", "hit"))).isEqualTo(1);
    assertThat(scrape.sum("xredline_cache_requests_total", Map.of("cache", "captcha", "result", "miss"))).isEqualTo(2);
  }

  @Test
  @DisplayName("captcha checks, which run inside a Lua script, count as cache hits and misses too")
  void scriptedLookups() throws Exception {
    Map<String, String> hit = Map.of("cache", "captcha", "result", "hit");
    Map<String, String> miss = Map.of("cache", "captcha", "result", "miss");
    MetricsScrape before = scrape();
    String id = TestApp.json(app.get("/api/v1/auth/captcha")).getString("captcha_id");
    var verified = app.post("/api/v1/auth/captcha/verify", "application/json",
        new io.vertx.core.json.JsonObject().put("captcha_id", id).put("captcha_code", "123456").encode());
    assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
    var gone = app.post("/api/v1/auth/captcha/verify", "application/json",
        new io.vertx.core.json.JsonObject().put("captcha_id", "no-such-captcha").put("captcha_code", "123456").encode());
    assertThat(gone.statusCode()).isEqualTo(400);
    MetricsScrape after = scrape();
    assertThat(after.sum("xredline_cache_requests_total", hit) - before.sum("xredline_cache_requests_total", hit)).isEqualTo(1);
    assertThat(after.sum("xredline_cache_requests_total", miss) - before.sum("xredline_cache_requests_total", miss)).isEqualTo(1);
  }

  @Test
  @DisplayName("sampled gauges: health checks, Redis INFO, event-loop delay")
  void sampledGauges() throws Exception {
    MetricsScrape scrape = Eventually.value("every health gauge sampled and Redis INFO read", MetricsEndpointTest::scrape,
        s -> s.sum("xredline_health_check_up", Map.of()) >= 5 && s.sum("xredline_redis_up", Map.of()) >= 1);
    for (String check : List.of("database", "redis", "memory", "event-loop", "lifecycle")) {
      assertThat(scrape.sum("xredline_health_check_up", Map.of("check", check))).as(check).isEqualTo(1.0);
    }
    assertThat(scrape.sum("xredline_redis_up", Map.of())).isEqualTo(1.0);
    assertThat(scrape.sum("xredline_redis_used_memory_bytes", Map.of())).isPositive();
    assertThat(scrape.families()).containsEntry("xredline_redis_expired_keys_total", "counter")
        .containsEntry("xredline_eventloop_delay_seconds", "gauge");
    assertThat(scrape.sum("xredline_eventloop_delay_seconds", Map.of())).as("a measured delay, not a placeholder")
        .isNotNaN().isGreaterThanOrEqualTo(0.0).isFinite();
  }

  @Test
  @DisplayName("JVM, process, event-bus and DB pool meters are exported")
  void platformMeters() {
    app.get("/helloworld/platform");
    MetricsScrape scrape = scrape();
    assertThat(scrape.families().keySet()).contains("jvm_memory_used_bytes", "jvm_memory_max_bytes",
        "jvm_gc_memory_allocated_bytes_total", "jvm_gc_live_data_size_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
        "process_uptime_seconds", "process_files_open_files", "process_files_max_files", "vertx_eventbus_handlers", "vertx_eventbus_processed_total",
        "vertx_pool_in_use", "vertx_pool_queue_pending", "vertx_http_server_active_requests");
    assertThat(scrape.samples("vertx_pool_in_use")).anySatisfy(s -> assertThat(s.labels()).containsEntry("pool_type", "sql"));
    assertThat(scrape.samples("vertx_eventbus_processed_total")).allSatisfy(s ->
        assertThat(s.labels().getOrDefault("address", "")).doesNotStartWith("__vertx.reply"));
  }

  @Test
  @DisplayName("two service instances in one JVM keep separate registries, and neither joins Micrometer's global registry")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void severalInstancesInOneJvm() {
    int before = Metrics.globalRegistry.getRegistries().size();
    var registry = app.app().telemetry().registry();
    assertThat(Metrics.globalRegistry.getRegistries()).doesNotContain(registry);
    TestApp second = TestApp.start("metrics2");
    var secondRegistry = second.app().telemetry().registry();
    try {
      second.get("/helloworld/only-on-second");
      assertThat(secondRegistry).isNotSameAs(registry);
      assertThat(Metrics.globalRegistry.getRegistries()).doesNotContain(registry, secondRegistry);
      MetricsScrape counted = Eventually.value("the second instance counted its greeting", () -> MetricsScrape.of(second),
          s -> s.sum("vertx_http_server_requests_total", Map.of("route", "/helloworld/:name")) >= 1);
      assertThat(counted.sum("vertx_http_server_requests_total", Map.of("route", "/helloworld/:name"))).isEqualTo(1);
    } finally {
      second.close();
    }
    assertThat(Metrics.globalRegistry.getRegistries()).hasSize(before);
    assertThat(scrape().families()).isNotEmpty();
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
