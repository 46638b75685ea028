package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.xredline.net.ClientAddresses;

/**
 * First on every request: the client's address by {@link ClientAddresses} (forwarding headers only
 * from trusted proxies), kept for the access line, the bus header that audit, lockout and the
 * named limits read, and the per-address limit.
 */
final class ClientIps implements Handler<RoutingContext> {
  private static final String KEY = "xredline.client-ip";
  private final ClientAddresses addresses;

  ClientIps(ClientAddresses addresses) {
    this.addresses = addresses;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, resolve(addresses, ctx.request()));
    ctx.next();
  }

  static String resolve(ClientAddresses addresses, HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    return addresses.resolve(host, request.headers().getAll(addresses.header()));
  }

  /** The resolved address, or the socket peer on a router that has no {@link ClientIps} handler. */
  static String of(RoutingContext ctx) {
    String ip = ctx.get(KEY);
    if (ip != null) {
      return ip;
    }
    SocketAddress peer = ctx.request().remoteAddress();
    return peer == null ? null : peer.hostAddress();
  }
}
