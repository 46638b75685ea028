package io.xredline.http;

import io.vertx.ext.web.RoutingContext;
import io.xredline.observability.RequestContext;


/** {@code X-Request-ID}: echoed when the client sent a sane one, otherwise generated; on every response. */
public final class RequestIds {
  public static final String HEADER = "X-Request-ID";
  private static final String KEY = "request_id";

  private RequestIds() {
  }

  public static void handle(RoutingContext ctx) {
    String id = RequestContext.requestIdOrNew(ctx.request().getHeader(HEADER));
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "" : id;
  }
}
