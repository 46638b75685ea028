package io.xredline.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.xredline.net.ClientAddresses;

/**
 * Second on every request (after the request id, ApiRouter): the client's address by
 * {@link ClientAddresses} (forwarding headers only from trusted proxies), kept for the access line,
 * the bus header that audit, lockout and the named limits read, and the per-address limit.
 */
final class ClientIps {
  private static final String KEY = "xredline.client-ip";
  private final ClientAddresses addresses;
  /**
   * The last socket peer that is no trusted proxy, and the client it is: a connection's requests
   * all come from one peer, which is then parsed once instead of on each request. Immutable, so a
   * reader on another loop sees a whole pair or the previous one.
   */
  private Direct last = new Direct("", "");

  ClientIps(ClientAddresses addresses) {
    this.addresses = addresses;
  }

  void set(RoutingContext ctx) {
    ctx.put(KEY, client(ctx.request()));
  }

  /** The client {@code request} comes from (the router's step keeps it on the context; LiveLane uses it at once). */
  String client(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    Direct seen = last;
    String client;
    if (host != null && host.equals(seen.peer())) {
      client = seen.client();
    } else {
      client = host == null ? null : addresses.direct(host);
      if (client == null) {
        client = addresses.resolve(host, request.headers().getAll(addresses.header()));
      } else {
        last = new Direct(host, client);
      }
    }
    return client;
  }

  private record Direct(String peer, String client) {
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
