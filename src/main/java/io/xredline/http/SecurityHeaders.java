package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import io.xredline.config.AppConfig;

/** Adds the configured headers to every response; HSTS only when the server speaks TLS. */
final class SecurityHeaders implements Handler<RoutingContext> {
  private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

  SecurityHeaders(AppConfig.Security security) {
    security.headers().values().forEach((name, value) -> {
      if (!value.isEmpty()) {
        headers.set(name, value);
      }
    });
    if (security.tls().enabled() && !security.headers().hstsMaxAge().isZero()) {
      headers.set("Strict-Transport-Security",
          "max-age=" + security.headers().hstsMaxAge().toSeconds() + "; includeSubDomains");
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.response().headers().addAll(headers);
    ctx.next();
  }
}
