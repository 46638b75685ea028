package io.xredline.http;

import io.vertx.core.http.HttpServerResponse;
import io.xredline.config.AppConfig;
import io.xredline.net.ClientAddresses;

/**
 * What a listener works out for every request before any route: the client's address (forwarding
 * headers only from trusted proxies) and the configured security headers. One per listener, shared
 * by the router's first step ({@link ApiRouter}) and {@link LiveLane}, so both answer with the same
 * encoded headers and the same peer cache.
 */
final class RequestFront {
  private final ClientIps clientIps;
  /** Null when the security headers are turned off. */
  private final SecurityHeaders headers;

  RequestFront(AppConfig config) {
    AppConfig.Security security = config.security();
    this.clientIps = new ClientIps(new ClientAddresses(security.trustedProxies(), security.forwardedHeader()));
    this.headers = security.headers().enabled() ? new SecurityHeaders(security) : null;
  }

  ClientIps clientIps() {
    return clientIps;
  }

  void addHeaders(HttpServerResponse response) {
    if (headers != null) {
      headers.add(response.headers());
    }
  }
}
