package io.xredline.bench.bare;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A diagnostic for {@code /healthz/live}, not the baseline: the bare route with what the
 * service must keep around it and nothing of the service's own code. The same response (a request
 * id, the five default security headers, {@code no-store}, a body the size of the service's
 * report, encoded once), vertx-micrometer's HTTP server meters by method, route and code, and the
 * service's server options (compression, read idle timeout, line and header limits). What is left
 * between this and the service is the service's own per-request code.
 * {@code BARE_SERVICE_SHAPE}: {@code 1} for all three, or a comma list of {@code response},
 * {@code meters}, {@code options}.
 */
final class ServiceShape {
  private static final String SHAPE = System.getenv().getOrDefault("BARE_SERVICE_SHAPE", "");
  static final boolean RESPONSE = shaped("response");
  static final boolean METERS = shaped("meters");
  static final boolean OPTIONS = shaped("options");
  private static final CharSequence[][] HEADERS = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
          + " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
      {"X-XSS-Protection", "0"},
  };
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-ID");
  private static final Buffer BODY = new JsonObject().put("status", "UP")
      .put("checks", new JsonArray().add(new JsonObject().put("id", "event-loop").put("status", "UP")
          .put("data", new JsonObject().put("loops", 5).put("max_delay_ms", 26).put("threshold_ms", 2000)
              .put("duration_ms", 0.07))))
      .put("outcome", "UP").toBuffer();

  static {
    for (CharSequence[] header : HEADERS) {
      header[0] = HttpHeaders.createOptimized(header[0].toString());
      header[1] = HttpHeaders.createOptimized(header[1].toString());
    }
  }

  private ServiceShape() {
  }

  private static boolean shaped(String part) {
    return SHAPE.equals("1") || Arrays.asList(SHAPE.split(",")).contains(part);
  }

  static Vertx vertx() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
    return Vertx.builder().with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  static HttpServerOptions options() {
    return new HttpServerOptions().setCompressionSupported(true).setHttp2ClearTextEnabled(false)
        .setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
        .setReadIdleTimeout(120).setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  static void live(HttpServerResponse response) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    response.putHeader(REQUEST_ID, new UUID(high, low).toString());
    for (CharSequence[] header : HEADERS) {
      response.headers().add(header[0], header[1]);
    }
    response.putHeader("content-type", "application/json; charset=utf-8").putHeader("cache-control", "no-store")
        .end(BODY);
  }
}
