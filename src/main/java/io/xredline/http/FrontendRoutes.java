package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.xredline.config.AppConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The browser frontend (the build in frontend/dist): its files from the jar's {@code webroot/}
 * or from {@code server.http.frontend_dir}, and {@code index.html} for page URLs the app routes
 * itself (history routing). Mounted last; API, health and metrics paths are never touched, so a
 * wrong API URL keeps its JSON 404 instead of turning into a web page.
 */
final class FrontendRoutes {
  static final String CLASSPATH_ROOT = "webroot";
  /** Vite puts content-hashed file names under assets/: a changed file is a new URL. */
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  /** index.html names the current hashes, so browsers must revalidate it on every load. */
  static final String REVALIDATE = "no-cache";
  private static final String ASSETS = "/assets/";
  private static final List<String> NOT_PAGES = List.of("/api", "/healthz", "/health", "/metrics", "/helloworld",
      "/.well-known", OpenApiRoutes.YAML_PATH, OpenApiRoutes.JSON_PATH, DocsRoutes.PATH);

  private final StaticHandler files;
  private final String indexFile;
  private final String pagesRegex;

  private FrontendRoutes(FileSystemAccess access, String root, List<String> notPages) {
    this.files = StaticHandler.create(access, root)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        .setDefaultContentEncoding("UTF-8");
    this.indexFile = root + "/index.html";
    this.pagesRegex = pagesRegex(notPages);
  }

  /** Every path except {@code prefix} and {@code prefix/...} for each prefix. */
  static String pagesRegex(List<String> notPages) {
    String prefixes = notPages.stream().map(Pattern::quote).collect(Collectors.joining("|"));
    return prefixes.isEmpty() ? "^/.*" : "^(?!(?:" + prefixes + ")(?:/|$))/.*";
  }

  /** The configured directory, else the build inside the jar, else nothing (an API-only jar). */
  static Optional<FrontendRoutes> forConfig(AppConfig config) {
    List<String> notPages = new ArrayList<>(NOT_PAGES);
    String metricsPath = config.monitoring().metrics().path();
    if (metricsPath != null && !notPages.contains(metricsPath)) {
      notPages.add(metricsPath);
    }
    Path dir = config.server().http().frontendDir();
    return dir != null ? Optional.of(fromDirectory(dir, notPages)) : fromClasspath(CLASSPATH_ROOT, notPages);
  }

  /** The parser has already checked that {@code dir} holds an index.html. */
  static FrontendRoutes fromDirectory(Path dir, List<String> notPages) {
    return new FrontendRoutes(FileSystemAccess.ROOT, dir.toAbsolutePath().normalize().toString(), notPages);
  }

  static Optional<FrontendRoutes> fromClasspath(String root, List<String> notPages) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null || loader.getResource(root + "/index.html") == null) {
      return Optional.empty();
    }
    return Optional.of(new FrontendRoutes(FileSystemAccess.RELATIVE, root, notPages));
  }

  /**
   * One route whose path excludes the API prefixes: a route that matches resets the router's
   * "path matched, method or content type did not" result, so matching /helloworld/x would turn
   * its 405 and 415 answers into 404. No method restriction either: a POST to an unknown page
   * stays 404 rather than 405. A route added later outside these prefixes belongs in NOT_PAGES.
   */
  static final String ROUTE_NAME = "frontend";

  void mount(Router router) {
    // named: metrics and access lines label it "frontend", not with the regex
    router.routeWithRegex(pagesRegex).setName(ROUTE_NAME).handler(this::serveFile).handler(this::servePage);
  }

  private void serveFile(RoutingContext ctx) {
    if (!readOnly(ctx)) {
      ctx.next();
      return;
    }
    String cacheControl = ctx.normalizedPath().startsWith(ASSETS) ? IMMUTABLE : REVALIDATE;
    // replaces the handler's one-day default, only on what it really served (a miss falls through)
    ctx.addHeadersEndHandler(v -> {
      int status = ctx.response().getStatusCode();
      if (status == 200 || status == 206 || status == 304) {
        ctx.response().headers().set(HttpHeaders.CACHE_CONTROL, cacheControl);
      }
    });
    files.handle(ctx);
  }

  /** History routing: a browser navigating to /me or /sign-in gets the app, which then routes itself. */
  private void servePage(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (!readOnly(ctx) || path.startsWith(ASSETS) || !acceptsHtml(ctx)) {
      ctx.next();
      return;
    }
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, REVALIDATE)
        .sendFile(indexFile)
        .onFailure(ctx::fail);
  }

  private static boolean readOnly(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    return method == HttpMethod.GET || method == HttpMethod.HEAD;
  }

  private static boolean acceptsHtml(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/html");
  }
}
