package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Swagger UI at {@code /docs} when {@code monitoring.docs.enabled}: the page and its initializer
 * from {@code openapi/docs/} in the jar, everything else from the swagger-ui webjar. No CDN, no
 * inline script, so it runs under the service's own CSP.
 */
final class DocsRoutes {
  static final String PATH = "/docs";
  static final String OWN_FILES = "openapi/docs";
  /** The webjar's files are not content-hashed: cache them for an hour, not a year. */
  private static final long ASSET_MAX_AGE_SECONDS = 3600;

  private final String swaggerUiRoot;
  private final java.util.function.BooleanSupplier enabled;

  DocsRoutes(String swaggerUiRoot, java.util.function.BooleanSupplier enabled) {
    this.swaggerUiRoot = swaggerUiRoot;
    this.enabled = enabled;
  }

  void mount(Router router) {
    router.get(PATH).handler(this::guard).handler(this::index);
    router.get(PATH + "/*")
        .handler(this::guard)
        .handler(files(OWN_FILES).setIndexPage("index.html"))
        .handler(files(swaggerUiRoot));
  }

  /** Switched off: the same JSON 404 as a path the service does not know. */
  private void guard(RoutingContext ctx) {
    if (enabled.getAsBoolean()) {
      ctx.next();
    } else {
      ctx.fail(404);
    }
  }

  private static StaticHandler files(String root) {
    return StaticHandler.create(FileSystemAccess.RELATIVE, root)
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        .setMaxAgeSeconds(ASSET_MAX_AGE_SECONDS)
        .setDefaultContentEncoding("UTF-8");
  }

  private void index(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .sendFile(OWN_FILES + "/index.html")
        .onFailure(ctx::fail);
  }
}
