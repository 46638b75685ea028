package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.xredline.config.AppConfig;
import io.xredline.observability.RequestContext;
import io.xredline.ratelimit.RateLimiter;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The router every HTTP route hangs from: request id, client address, security headers, CORS
 * allow-list, per-request timeout, {@code no-store} on the API, URL checks, the per-address rate
 * limit, body limit, and one failure/error path that renders the contract envelope.
 */
public final class ApiRouter {
  private ApiRouter() {
  }

  public static Router create(Vertx vertx, AppConfig config) {
    return create(vertx, config, null);
  }

  /** {@code limiter} null: no per-address limit (routers built for a test without Redis). */
  public static Router create(Vertx vertx, AppConfig config, RateLimiter limiter) {
    return create(vertx, config, limiter, new RequestFront(config));
  }

  /** {@code front}: the listener's, shared with its {@link LiveLane}. */
  static Router create(Vertx vertx, AppConfig config, RateLimiter limiter, RequestFront front) {
    Router router = Router.router(vertx);
    AppConfig.Http http = config.server().http();
    long timeoutMs = http.timeout().toMillis();
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(http.maxBodySize()).setHandleFileUploads(false);
    Handler<RoutingContext> body = ctx -> InputChecks.body(ctx, bodies);
    RequestLimits limits = limiter == null ? null : new RequestLimits(limiter);
    Handler<RoutingContext> admit = limits == null ? body : ctx -> limits.check(ctx, body);
    // The URL checks come before any route with a path: matching one decodes the path, and a broken
    // one would throw there. Tokens, TOTP secrets and account data must never sit in a browser or
    // proxy cache: no-store is set here, not on a path route, which would name the route of every
    // unmatched /api URL in metrics. Then the timeout, the per-address limit (it decides before the
    // body is read) and the body.
    Handler<RoutingContext> checked = ctx -> {
      if (InputChecks.refused(ctx)) {
        return;
      }
      if (ctx.request().path().startsWith("/api/")) {
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE);
      }
      RequestTimeout.start(ctx, timeoutMs);
      admit.handle(ctx);
    };
    // request id, client address, access line, security headers, in this order (each step reads
    // what the one before it set), and then the checks above: one router step on every request
    // instead of six, or two around the CORS handler when an allow-list is configured
    ClientIps clientIps = front.clientIps();
    Handler<RoutingContext> identified = ctx -> {
      RequestIds.set(ctx);
      clientIps.set(ctx);
      HttpAccessLog.begin(ctx);
      front.addHeaders(ctx.response());
    };
    AppConfig.Cors cors = config.security().cors();
    if (cors.allowedOrigins().isEmpty()) {
      router.route().handler(ctx -> {
        identified.handle(ctx);
        checked.handle(ctx);
      });
    } else {
      router.route().handler(ctx -> {
        identified.handle(ctx);
        ctx.next();
      });
      router.route().handler(corsHandler(cors));
      router.route().handler(checked);
    }
    // last: the named routes' failure handlers note the route first (HttpAccessLog.labelFailures)
    router.route().last().failureHandler(HttpErrors::onFailure);
    for (int status : new int[] {400, 404, 405, 413, 415, 500, 503}) {
      router.errorHandler(status, HttpErrors::onFailure);
    }
    return router;
  }

  private static CorsHandler corsHandler(AppConfig.Cors cors) {
    Set<HttpMethod> methods = cors.allowedMethods().stream().map(HttpMethod::valueOf).collect(Collectors.toSet());
    CorsHandler handler = CorsHandler.create()
        .addOrigins(cors.allowedOrigins())
        .allowedMethods(methods)
        .allowedHeaders(new HashSet<>(cors.allowedHeaders()))
        .exposedHeaders(Set.of(RequestContext.REQUEST_ID_HEADER))
        .allowCredentials(cors.allowCredentials())
        .maxAgeSeconds((int) cors.maxAge().toSeconds());
    return handler;
  }
}
