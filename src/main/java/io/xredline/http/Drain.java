package io.xredline.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.xredline.health.EventLoopProbe;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How every transport verticle stops: stop accepting, let in-flight requests finish within the budget, close. */
public final class Drain {
  private Drain() {
  }

  public static Future<Void> stop(HttpServer server, EventLoopProbe loopProbe, Duration budget) {
    if (loopProbe != null) {
      loopProbe.stop();
    }
    return server == null ? Future.succeededFuture() : server.shutdown(budget.toMillis(), TimeUnit.MILLISECONDS);
  }
}
