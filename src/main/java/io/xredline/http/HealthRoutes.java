package io.xredline.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.health.HealthApi;

/** CONTRACT §5: each probe path (and its alias) asks the health verticle over the bus. */
final class HealthRoutes {
  private final long timeoutMs;

  HealthRoutes(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  void mount(Router router) {
    route(router, HealthApi.Probe.LIVE, "/healthz/live", "/health/live");
    route(router, HealthApi.Probe.READY, "/healthz/ready", "/health/ready");
    route(router, HealthApi.Probe.STARTUP, "/healthz/startup", "/health/startup");
    route(router, HealthApi.Probe.ALL, "/healthz", "/health");
  }

  private void route(Router router, HealthApi.Probe probe, String... paths) {
    for (String path : paths) {
      router.get(path).handler(ctx -> answer(ctx, probe));
    }
  }

  private void answer(RoutingContext ctx, HealthApi.Probe probe) {
    HealthApi.query(ctx.vertx().eventBus(), probe, timeoutMs)
        .otherwise(HealthApi::unanswered)
        .onSuccess(report -> ctx.response()
            .setStatusCode(report.up() ? 200 : 503)
            .putHeader("content-type", "application/json; charset=utf-8")
            .putHeader("cache-control", "no-store")
            .end(report.body().encode()));
  }
}
