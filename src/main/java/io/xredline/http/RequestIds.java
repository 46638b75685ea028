package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.xredline.observability.RequestContext;


/** {@code X-Request-ID}: echoed when the client sent a sane one, otherwise generated; on every response. */
public final class RequestIds {
  private static final String KEY = "request_id";
  private static final CharSequence HEADER = HttpHeaders.createOptimized(RequestContext.REQUEST_ID_HEADER);

  private RequestIds() {
  }

  /** First on every request (ApiRouter). */
  static void set(RoutingContext ctx) {
    ctx.put(KEY, set(ctx.request()));
  }

  /** The request's id, already on its response (LiveLane, which has no routing context). */
  static String set(HttpServerRequest request) {
    String id = RequestContext.requestIdOrNew(request.getHeader(RequestContext.REQUEST_ID_HEADER));
    request.response().putHeader(HEADER, id);
    return id;
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "" : id;
  }
}
