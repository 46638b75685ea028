package io.xredline.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.xredline.config.AppConfig;
import io.xredline.observability.RequestContext;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The router every HTTP route hangs from: request id, security headers, CORS allow-list, body
 * limit, per-request timeout, and one failure/error path that renders the contract envelope.
 */
public final class ApiRouter {
  private ApiRouter() {
  }

  public static Router create(Vertx vertx, AppConfig config) {
    Router router = Router.router(vertx);
    AppConfig.Http http = config.server().http();
    router.route().handler(RequestIds::handle);
    router.route().handler(HttpAccessLog::handle);
    if (config.security().headers().enabled()) {
      router.route().handler(new SecurityHeaders(config.security()));
    }
    AppConfig.Cors cors = config.security().cors();
    if (!cors.allowedOrigins().isEmpty()) {
      router.route().handler(corsHandler(cors));
    }
    router.route().handler(TimeoutHandler.create(http.timeout().toMillis(), 503));
    router.route().handler(BodyHandler.create(false).setBodyLimit(http.maxBodySize()).setHandleFileUploads(false));
    // last: the named routes' failure handlers note the route first (HttpAccessLog.labelFailures)
    router.route().last().failureHandler(HttpErrors::onFailure);
    for (int status : new int[] {400, 404, 405, 413, 415, 500, 503}) {
      router.errorHandler(status, HttpErrors::onFailure);
    }
    return router;
  }

  private static CorsHandler corsHandler(AppConfig.Cors cors) {
    Set<HttpMethod> methods = cors.allowedMethods().stream().map(HttpMethod::valueOf).collect(Collectors.toSet());
    CorsHandler handler = CorsHandler.create()
        .addOrigins(cors.allowedOrigins())
        .allowedMethods(methods)
        .allowedHeaders(new HashSet<>(cors.allowedHeaders()))
        .exposedHeaders(Set.of(RequestContext.REQUEST_ID_HEADER))
        .allowCredentials(cors.allowCredentials())
        .maxAgeSeconds((int) cors.maxAge().toSeconds());
    return handler;
  }
}
