package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Successful JSON answers, written one way everywhere. */
public final class Responses {
  /** Header values encoded once: a response copies their bytes. */
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body.encode());
  }
}
