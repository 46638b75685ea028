package io.xredline.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.observability.AccessLog;
import io.xredline.observability.RequestContext;

/**
 * Binds the request's ids to its context (request id from {@link RequestIds}, trace from an incoming
 * {@code traceparent}) and writes one access line when the response ends. The route is the
 * template the router matched, remembered through {@link #route} because a failure handler
 * replaces the current route before the response ends.
 */
final class HttpAccessLog {
  static final String UNMATCHED = "unmatched";
  private static final String ROUTED = "xredline.routed-request";
  /** Hands the wrapper to {@link #handle}, which the router runs synchronously inside {@link #route}. */
  private static final ThreadLocal<RoutedRequest> ENTERING = new ThreadLocal<>();

  private HttpAccessLog() {
  }

  /** The server's request handler: the router sees a wrapper that remembers the matched route. */
  static void route(Router router, HttpServerRequest request) {
    if (!(request instanceof HttpServerRequestInternal internal)) {
      router.handle(request);
      return;
    }
    RoutedRequest routed = new RoutedRequest(internal);
    ENTERING.set(routed);
    try {
      router.handle(routed);
    } finally {
      ENTERING.remove();
    }
  }

  /** Router handler, right after {@link RequestIds#handle}. */
  static void handle(RoutingContext ctx) {
    long began = System.nanoTime();
    RoutedRequest routed = ENTERING.get();
    if (routed != null) {
      ctx.put(ROUTED, routed);
    }
    RequestContext.bind(RequestContext.start(RequestIds.of(ctx), ctx.request().getHeader(RequestContext.TRACEPARENT_HEADER)));
    ctx.addEndHandler(ended -> {
      RoutedRequest request = ctx.get(ROUTED);
      String route = request != null && request.route != null ? request.route : UNMATCHED;
      SocketAddress remote = ctx.request().remoteAddress();
      AccessLog.write(ctx.request().method().name(), route, ctx.response().getStatusCode(), began,
          remote == null ? null : remote.hostAddress());
    });
    ctx.next();
  }

  private static final class RoutedRequest extends HttpServerRequestWrapper {
    private String route;

    RoutedRequest(HttpServerRequestInternal delegate) {
      super(delegate);
    }

    @Override
    public HttpServerRequest routed(String name) {
      if (name != null) {
        route = name;
      }
      return super.routed(name);
    }
  }
}
