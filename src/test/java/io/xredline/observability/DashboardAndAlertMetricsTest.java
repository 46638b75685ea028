package io.xredline.observability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric a dashboard panel or an alert rule queries must be one the service really exports:
 * checked against a live scrape after exercising the routes, Redis lookups and the samplers.
 */
@DisplayName("The Grafana dashboard and the alert rules only query metrics a live /metrics scrape really has")
class DashboardAndAlertMetricsTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:vertx|xredline|jvm|process|system|container)_[a-zA-Z0-9_:]+|up)\\b");
  /** Produced by Kubernetes (cAdvisor) or by Prometheus itself, not by the service. */
  private static final Set<String> EXTERNAL = Set.of("up", "container_memory_working_set_bytes",
      "container_spec_memory_limit_bytes");
  /** Registered by the auth capability: required once its routes are in the build. */
  private static final Set<String> FROM_AUTH = Set.of("xredline_auth_logins_total", "xredline_auth_lockouts_total");
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("dashboard", Map.of("data.database.slow_query_threshold", SlowQueries.THRESHOLD));
    SlowQueries.slowGreetings(app.databaseUrl());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static Set<String> dashboardMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("deploy/grafana/dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonObject dashboard = new JsonObject(Files.readString(file));
        for (Object p : dashboard.getJsonArray("panels", new JsonArray())) {
          for (Object t : ((JsonObject) p).getJsonArray("targets", new JsonArray())) {
            names.addAll(metrics(((JsonObject) t).getString("expr")));
          }
        }
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  static Set<String> alertMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("deploy/prometheus/rules"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
        Map<String, Object> doc = new Yaml().load(Files.readString(file));
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
          for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
            names.addAll(metrics((String) rule.get("expr")));
          }
        }
      }
    }
    return names;
  }

  static Set<String> metrics(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static MetricsScrape exercisedScrape() throws Exception {
    app.get("/helloworld/" + SlowQueries.NAME_PREFIX + "dashboard");
    app.get("/no/such/route");
    RedisAPI redis = RedisClients.api(app.app().vertx(), app.config().data().redis(), app.app().backends().redisUrl());
    try {
      redis.get(app.config().data().redis().keyPrefix() + "captcha:none")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      redis.close();
    }
    return Eventually.value("health gauges and Redis INFO sampled", () -> MetricsScrape.of(app),
        s -> s.sampleNames().contains("xredline_health_check_up") && s.sum("xredline_redis_up", Map.of()) >= 1);
  }

  private static boolean authRoutesPresent() {
    return app.post("/api/v1/auth/login", "application/json", "{}").statusCode() != 404;
  }

  private static void assertExported(Set<String> referenced, String what) throws Exception {
    MetricsScrape scrape = exercisedScrape();
    Set<String> required = new TreeSet<>(referenced);
    required.removeAll(EXTERNAL);
    if (!authRoutesPresent()) {
      required.removeAll(FROM_AUTH);
    }
    assertThat(required).as("metrics %s reference", what).isNotEmpty();
    assertThat(scrape.sampleNames()).as("live scrape vs metrics %s reference", what).containsAll(required);
  }

  @Test
  @DisplayName("every metric the dashboard's panels query is in the scrape (auth counters once auth is built in)")
  void dashboardMetricsExist() throws Exception {
    Set<String> referenced = dashboardMetrics();
    assertThat(referenced).contains("vertx_http_server_requests_total", "xredline_cache_requests_total",
        "xredline_auth_logins_total");
    assertExported(referenced, "the dashboard");
  }

  @Test
  @DisplayName("every metric the alert rules query is in the scrape (cAdvisor and Prometheus' own up excepted)")
  void alertMetricsExist() throws Exception {
    Set<String> referenced = alertMetrics();
    assertThat(referenced).contains("vertx_pool_ratio", "xredline_redis_up", "xredline_audit_backlog",
        "xredline_health_check_up", "xredline_auth_lockouts_total");
    assertExported(referenced, "the alert rules");
  }

  @Test
  @DisplayName("the metric extractor reads names out of PromQL, not label values or functions")
  void extractor() {
    assertThat(metrics("sum by (le) (rate(vertx_http_server_response_time_seconds_bucket{job=~\"xredline_x\"}[5m])) > 0"))
        .containsExactly("vertx_http_server_response_time_seconds_bucket");
  }
}
