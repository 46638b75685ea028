package io.xredline.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.health.HealthApi;

/**
 * CONTRACT §5: each probe path (and its alias) asks the health verticle over the bus. Liveness,
 * the probe a platform hammers, is answered from the last report for as long as the health
 * verticle would answer from that same cached report ({@link HealthApi#FRESH_UNTIL_HEADER}), so it
 * is no staler than asking; readiness and startup follow the lifecycle and always ask.
 */
final class HealthRoutes {
  /** The liveness path and its alias (the router's routes and {@link LiveLane}'s match). */
  static final String LIVE = "/healthz/live";
  static final String LIVE_ALIAS = "/health/live";
  private final long timeoutMs;
  /** This instance's last liveness answer and its body, encoded once (the verticle instance's event loop only). */
  private HealthApi.Answer live;
  private Buffer liveBody;

  HealthRoutes(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  void mount(Router router) {
    route(router, HealthApi.Probe.LIVE, LIVE, LIVE_ALIAS);
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
    if (probe == HealthApi.Probe.LIVE) {
      live(ctx);
      return;
    }
    HealthApi.query(ctx.vertx().eventBus(), probe, timeoutMs)
        .otherwise(HealthApi::unanswered)
        .onSuccess(report -> send(ctx, report.up(), report.body().toBuffer()));
  }

  /** True while this instance's last liveness answer stands ({@link LiveLane} answers the probe itself then). */
  boolean liveFresh(long nanoTime) {
    HealthApi.Answer last = live;
    return last != null && last.freshAt(nanoTime);
  }

  /** The last liveness answer; only after {@link #liveFresh} said true on this event loop. */
  void sendLive(HttpServerResponse response) {
    send(response, live.report().up(), liveBody);
  }

  private void live(RoutingContext ctx) {
    HealthApi.Answer last = live;
    if (last != null && last.freshAt(System.nanoTime())) {
      send(ctx, last.report().up(), liveBody);
      return;
    }
    HealthApi.answer(ctx.vertx().eventBus(), HealthApi.Probe.LIVE, timeoutMs).onComplete(answer -> {
      live = answer;
      liveBody = answer.report().body().toBuffer();
      send(ctx, answer.report().up(), liveBody);
    }, failure -> {
      HealthApi.Report down = HealthApi.unanswered(failure);
      send(ctx.response(), false, down.body().toBuffer());
    });
  }

  private static void send(RoutingContext ctx, boolean up, Buffer body) {
    send(ctx.response(), up, body);
  }

  private static void send(HttpServerResponse response, boolean up, Buffer body) {
    response
        .setStatusCode(up ? 200 : 503)
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE)
        .end(body);
  }
}
