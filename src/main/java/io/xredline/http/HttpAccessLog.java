package io.xredline.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.observability.AccessLog;
import io.xredline.observability.RequestContext;

/**
 * Binds the request's ids to its context (request id from {@link RequestIds}, trace from an incoming
 * {@code traceparent}) and writes one access line when the response ends. The route is the name or
 * template of the route that answered ({@link Route#getName()}, as the metrics label it); a failed
 * request is answered by the catch-all failure handler, so each named route remembers itself on
 * the way there ({@link #labelFailures}).
 */
final class HttpAccessLog {
  static final String UNMATCHED = "unmatched";
  private static final String FAILED_ON = "xredline.failed-on-route";

  private HttpAccessLog() {
  }

  /** Right after {@link RequestIds#set} (ApiRouter). */
  static void begin(RoutingContext ctx) {
    long began = System.nanoTime();
    RequestContext.bind(RequestContext.start(RequestIds.of(ctx), ctx.request().getHeader(RequestContext.TRACEPARENT_HEADER)));
    ctx.addEndHandler(ended -> {
      String failedOn = ctx.get(FAILED_ON);
      String route = failedOn != null ? failedOn : nameOf(ctx.currentRoute());
      AccessLog.write(ctx.request().method().name(), route == null ? UNMATCHED : route, ctx.response().getStatusCode(),
          began, ClientIps.of(ctx));
    });
  }

  /** {@link LiveLane}'s {@link #begin}: binds the same ids; the lane writes the line itself once it has answered. */
  static void bind(HttpServerRequest request, String requestId) {
    RequestContext.bind(RequestContext.start(requestId, request.getHeader(RequestContext.TRACEPARENT_HEADER)));
  }

  /**
   * Call once every route is mounted: each named route gets a failure handler that notes its name
   * and passes the failure on to the renderer, which must be mounted {@code last()}.
   */
  static void labelFailures(Router router) {
    for (Route route : router.getRoutes()) {
      String name = route.getName();
      if (name != null) {
        route.failureHandler(ctx -> {
          ctx.put(FAILED_ON, name);
          ctx.next();
        });
      }
    }
  }

  private static String nameOf(Route route) {
    return route == null ? null : route.getName();
  }
}
