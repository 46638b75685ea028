package io.xredline.ratelimit;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.Eventually;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.TcpProxy;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator does with limits: change them in a file without a restart, and run through a Redis outage. */
@DisplayName("rate limits in operation: hot reload from a --conf file, and on_redis_error when Redis is cut")
// every scenario starts an instance of its own (then waits for a file watch or a cut Redis): beyond the
// 30 s default when both cores are busy (seen: hotReload 19.5 s at load 20)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RateLimitOperationsTest {
  @TempDir
  Path dir;
  private long mtime = System.currentTimeMillis();

  private void write(Path file, String yaml) throws Exception {
    Files.writeString(file, yaml);
    // the watcher compares modification time and size; move the time on explicitly
    mtime += 2000;
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime));
  }

  private static String captchaLimit(boolean enabled, int limit) {
    return "security:\n  rate_limit:\n    enabled: " + enabled + "\n    policies:\n      captcha_ip: {key: ip, limit: " + limit
        + ", per: 1h}\n";
  }

  @Test
  @DisplayName("rewriting security.rate_limit in a --conf file turns limits on, tightens and loosens them, and off again — no restart")
  void hotReload() throws Exception {
    Path file = dir.resolve("limits.yaml");
    write(file, captchaLimit(false, 1));
    try (TestApp app = TestApp.startWatching("rlreload", Map.of("auth.captcha.fixed_code", "Q7XK2M"), List.of(file))) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = app.get("/api/v1/auth/captcha");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("RateLimit")).as("limits off").isEmpty();
      }

      write(file, captchaLimit(true, 1));
      HttpResponse<String> refused = Eventually.value("the new limit (1 captcha per hour) applies",
          () -> app.get("/api/v1/auth/captcha"), r -> r.statusCode() == 429);
      assertThat(TestApp.json(refused).getJsonObject("metadata").getString("policy")).isEqualTo("captcha_ip");
      assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("\"captcha_ip\";q=1;w=3600");

      write(file, captchaLimit(true, 1000));
      HttpResponse<String> allowed = Eventually.value("the raised limit applies", () -> app.get("/api/v1/auth/captcha"),
          r -> r.statusCode() == 200);
      assertThat(allowed.headers().firstValue("RateLimit-Policy")).as("the tightest policy on the route is the default")
          .hasValue("\"default\";q=200;w=2");

      write(file, captchaLimit(false, 1));
      Eventually.await("limits off again", () -> app.get("/api/v1/auth/captcha").headers().firstValue("RateLimit").isEmpty());
    }
  }

  @Test
  @DisplayName("on_redis_error allow: Redis cut → API routes still answer, readiness reports Redis DOWN; limits return with Redis")
  void failOpen() {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", redisPort());
         TestApp app = TestApp.start("rlopen", Map.of("data.redis.url", "redis://127.0.0.1:" + redis.port() + "/0",
             "security.rate_limit.enabled", "true", "security.rate_limit.on_redis_error", "allow",
             "security.rate_limit.redis_timeout", "200ms"))) {
      assertThat(app.get("/helloworld/open").headers().firstValue("RateLimit")).isPresent();
      redis.cut();
      HttpResponse<String> during = app.get("/helloworld/open");
      assertThat(during.statusCode()).as(during.body()).isEqualTo(200);
      assertThat(during.headers().firstValue("RateLimit")).as("no decision, no headers").isEmpty();
      Eventually.await("readiness reports Redis DOWN", () -> app.get("/healthz/ready").statusCode() == 503
          && app.get("/healthz/ready").body().contains("\"redis\""));
      assertThat(MetricsScrape.of(app).sum("xredline_rate_limit_errors_total", Map.of("outcome", "allowed")))
          .isGreaterThanOrEqualTo(1);
      redis.restore();
      Eventually.await("limits decide again once Redis is back",
          () -> app.get("/helloworld/open").headers().firstValue("RateLimit").isPresent());
    }
  }

  @Test
  @DisplayName("on_redis_error deny: Redis cut → API routes 503 SERVICE_UNAVAILABLE; probes still answer; recovers with Redis")
  void failClosed() {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", redisPort());
         TestApp app = TestApp.start("rlclosed", Map.of("data.redis.url", "redis://127.0.0.1:" + redis.port() + "/0",
             "security.rate_limit.enabled", "true", "security.rate_limit.on_redis_error", "deny",
             "security.rate_limit.redis_timeout", "200ms"))) {
      assertThat(app.get("/helloworld/closed").statusCode()).isEqualTo(200);
      redis.cut();
      HttpResponse<String> during = app.get("/helloworld/closed");
      assertThat(during.statusCode()).isEqualTo(503);
      JsonObject body = TestApp.json(during);
      assertThat(body.getString("reason")).isEqualTo("SERVICE_UNAVAILABLE");
      assertThat(body.getString("message")).contains("rate limiter");
      assertThat(app.get("/healthz/live").statusCode()).as("liveness never depends on Redis").isEqualTo(200);
      assertThat(MetricsScrape.of(app).sum("xredline_rate_limit_errors_total", Map.of("outcome", "denied")))
          .isGreaterThanOrEqualTo(1);
      redis.restore();
      Eventually.await("served again once Redis is back", () -> app.get("/helloworld/closed").statusCode() == 200);
    }
  }

  private static int redisPort() {
    return URI.create(io.xredline.testing.TestBackends.redisUrl()).getPort();
  }
}
