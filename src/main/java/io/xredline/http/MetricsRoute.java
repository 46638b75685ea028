package io.xredline.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;

/** CONTRACT §6: Prometheus text at {@code monitoring.metrics.path} when {@code monitoring.metrics.enabled}. */
final class MetricsRoute {
  private MetricsRoute() {
  }

  static void mount(Router router, Vertx vertx, AppConfig.Metrics metrics) {
    if (metrics.enabled() && Telemetry.registry(vertx) instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus) {
      router.get(metrics.path()).handler(PrometheusScrapingHandler.create(prometheus));
    }
  }
}
