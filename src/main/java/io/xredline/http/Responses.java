package io.xredline.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Successful JSON answers, written one way everywhere. */
public final class Responses {
  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status)
        .putHeader("content-type", "application/json; charset=utf-8")
        .end(body.encode());
  }
}
