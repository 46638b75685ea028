package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
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
    String id = RequestContext.requestIdOrNew(ctx.request().getHeader(RequestContext.REQUEST_ID_HEADER));
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "" : id;
  }
}
