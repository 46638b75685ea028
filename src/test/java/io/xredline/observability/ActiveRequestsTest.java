package io.xredline.observability;

import io.xredline.testing.Eventually;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vertx_http_server_active_requests} counts requests in flight, and only those: with the
 * per-address limit on, whose step holds a request paused until it has decided, every answered
 * request ends its meters too, a GET that no body handler reads included.
 */
@DisplayName("vertx_http_server_active_requests comes back to the scrape itself once the rate-limited requests are answered")
class ActiveRequestsTest {
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("active-requests", Map.of("security.rate_limit.enabled", "true",
        "security.rate_limit.default.requests_per_second", "100000", "security.rate_limit.default.burst", "100000"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /**
   * A plain HTTP/1.1 GET, as curl and wrk send it: the JDK HttpClient asks for an h2c upgrade on
   * every GET, and such a request was never held paused.
   */
  private static int plainGet(String path) {
    try {
      java.net.HttpURLConnection connection = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + app.httpPort() + path)
          .toURL().openConnection();
      try (java.io.InputStream body = connection.getResponseCode() < 400 ? connection.getInputStream()
          : connection.getErrorStream()) {
        if (body != null) {
          body.readAllBytes();
        }
      }
      return connection.getResponseCode();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("GETs and POSTs on limited API routes, answered 200, 401 and 400: none is left counted as active")
  void activeRequestsSettle() {
    for (int i = 0; i < 20; i++) {
      assertThat(plainGet("/helloworld/active" + i)).isEqualTo(200);
      assertThat(plainGet("/api/v1/auth/me")).isEqualTo(401);
      assertThat(app.get("/helloworld/jdk" + i).statusCode()).isEqualTo(200);
      assertThat(app.post("/api/v1/auth/refresh", "application/json", "{}").statusCode()).isEqualTo(400);
    }
    MetricsScrape settled = Eventually.value("nothing but the scrape in flight", () -> MetricsScrape.of(app),
        s -> s.sum("vertx_http_server_active_requests", Map.of()) <= 1);
    assertThat(settled.sum("vertx_http_server_active_requests", Map.of("method", "GET"))).isLessThanOrEqualTo(1);
    assertThat(settled.sum("vertx_http_server_active_requests", Map.of("method", "POST"))).isZero();
  }
}
