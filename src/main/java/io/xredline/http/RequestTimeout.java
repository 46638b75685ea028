package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code server.http.timeout}: a request not answered in time fails with 503, which the router's
 * failure path renders. What vertx-web's {@code TimeoutHandler} does, without its own router step
 * and with a plain timer instead of a timer future (two objects and a listener less per request):
 * it runs inside the router's first step ({@link ApiRouter}).
 */
final class RequestTimeout implements Handler<Long> {
  private final RoutingContext ctx;
  private int endHandler;

  private RequestTimeout(RoutingContext ctx) {
    this.ctx = ctx;
  }

  /** Arms the timer; the response's end cancels it. */
  static void start(RoutingContext ctx, long timeoutMs) {
    RequestTimeout timeout = new RequestTimeout(ctx);
    Vertx vertx = ctx.vertx();
    long timer = vertx.setTimer(timeoutMs, timeout);
    timeout.endHandler = ctx.addEndHandler(ended -> vertx.cancelTimer(timer));
  }

  @Override
  public void handle(Long timer) {
    ctx.removeEndHandler(endHandler);
    if (!ctx.request().isEnded()) {
      ctx.request().resume(); // a request still paused (its body unread) would never see its end
    }
    ctx.fail(503);
  }
}
