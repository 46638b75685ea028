package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.xredline.config.AppConfig;
import io.xredline.observability.AccessLog;

/**
 * Liveness in front of the router. A platform sends {@code GET /healthz/live} to every pod every
 * few seconds, and it is the lightest route: while the health verticle's last report stands
 * ({@link HealthRoutes#liveFresh}), a probe with nothing for the router's steps to act on (exactly
 * the path, no query, no body, no CORS) is answered here with everything those steps and the route
 * give it: request id (echoed or new), the bound request and trace ids, the configured security
 * headers, the route's meters ({@link HttpServerRequest#routed}), {@code Content-Type},
 * {@code no-store} and the access line. A router step would have nothing else to do for it: no URL
 * to refuse, no limit (probes are never limited), no body, and the answer is sent before a timeout
 * could fire. Every other request, and a probe while the report is stale, goes to the router.
 */
final class LiveLane implements Handler<HttpServerRequest> {
  private final Router router;
  private final HealthRoutes health;
  private final RequestFront front;

  private LiveLane(Router router, HealthRoutes health, RequestFront front) {
    this.router = router;
    this.health = health;
    this.front = front;
  }

  /**
   * The listener's request handler: the lane in front of {@code router}, or the router alone when
   * CORS is configured (its handler decides {@code Vary} and the allow headers for every request).
   * {@code front} is the one the router's first step uses.
   */
  static Handler<HttpServerRequest> inFrontOf(Router router, HealthRoutes health, RequestFront front,
                                              AppConfig config) {
    if (!config.security().cors().allowedOrigins().isEmpty()) {
      return router;
    }
    return new LiveLane(router, health, front);
  }

  @Override
  public void handle(HttpServerRequest request) {
    String route = route(request);
    if (route == null || !health.liveFresh(System.nanoTime())) {
      router.handle(request);
      return;
    }
    // the router's first step (ApiRouter), in its order
    long began = System.nanoTime();
    String id = RequestIds.set(request);
    // the client address and the bound ids are for the one line written here, the access line:
    // neither is worked out when it is off
    boolean logged = AccessLog.enabled();
    String client = null;
    if (logged) {
      client = front.clientIps().client(request);
      HttpAccessLog.bind(request, id);
    }
    HttpServerResponse response = request.response();
    front.addHeaders(response);
    request.routed(route);
    health.sendLive(response);
    if (logged) {
      AccessLog.write(HttpMethod.GET.name(), route, response.getStatusCode(), began, client);
    }
  }

  /**
   * The route of a probe the lane may answer, or {@code null}: a GET of exactly a liveness path,
   * with no body and nothing about one (a length other than 0, chunks, a type, {@code Expect}).
   */
  static String route(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      return null;
    }
    String uri = request.uri();
    String route = HealthRoutes.LIVE.equals(uri) ? HealthRoutes.LIVE
        : HealthRoutes.LIVE_ALIAS.equals(uri) ? HealthRoutes.LIVE_ALIAS : null;
    if (route == null) {
      return null;
    }
    MultiMap h = request.headers();
    String length = h.get(HttpHeaders.CONTENT_LENGTH);
    // Content-Length: 0 is no body (the JDK's client sends it with an h2c upgrade)
    if ((length != null && !length.equals("0")) || h.contains(HttpHeaders.TRANSFER_ENCODING)
        || h.contains(HttpHeaders.CONTENT_TYPE) || h.contains(HttpHeaders.EXPECT)) {
      return null;
    }
    return route;
  }
}
