package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.xredline.config.AppConfig;
import io.xredline.ratelimit.RateLimiter;

import java.util.List;

/**
 * The per-address {@code default} limit on every API route, decided before the body is read (a
 * refused client costs no buffering). Probes, metrics, API descriptions and the frontend's files
 * are never limited: only the API prefixes are.
 */
final class RequestLimits {
  /** Where API routes live; everything else (probes, /metrics, /openapi.*, /docs, static files) is free. */
  static final List<String> LIMITED = List.of("/api/", "/helloworld", "/.well-known/");
  private final RateLimiter limiter;

  RequestLimits(RateLimiter limiter) {
    this.limiter = limiter;
  }

  static boolean limited(String path) {
    if (path == null) {
      return false;
    }
    for (String prefix : LIMITED) {
      boolean bare = prefix.endsWith("/") && path.length() == prefix.length() - 1 && prefix.startsWith(path);
      if (bare || path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** {@code admitted} goes on with a request the limit lets through (at once when it is not limited). */
  void check(RoutingContext ctx, Handler<RoutingContext> admitted) {
    if (!limiter.enabled() || !limited(ctx.request().path())) {
      admitted.handle(ctx);
      return;
    }
    // held until decided; the body handler resumes it
    ctx.request().pause();
    limiter.check(RateLimiter.ip(ClientIps.of(ctx)), AppConfig.RateLimit.DEFAULT).onComplete(decision -> {
      if (decision.allowed()) {
        RateLimitHeaders.add(ctx.response(), decision);
        // a request no body handler reads (a GET) would stay paused once answered: Vert.x would
        // never see its end, nor end its meters (vertx_http_server_active_requests grew by one per GET)
        ctx.addEndHandler(ended -> ctx.request().resume());
        admitted.handle(ctx);
      } else {
        ctx.request().resume();
        HttpErrors.send(ctx, decision.toError());
      }
    }, failure -> {
      ctx.request().resume();
      HttpErrors.sendFailure(ctx, failure);
    });
  }
}
