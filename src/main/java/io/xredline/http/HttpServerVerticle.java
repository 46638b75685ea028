package io.xredline.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.xredline.config.AppConfig;
import io.xredline.features.FeatureFlags;
import io.xredline.ratelimit.RateLimiter;
import io.xredline.health.EventLoopProbe;
import io.xredline.health.HealthApi;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The REST transport: builds the router, listens, drains on stop. No business rules, no SQL, no
 * Redis of its own: the per-address limit is the shared {@link RateLimiter}'s.
 */
public final class HttpServerVerticle extends VerticleBase {
  private final AppConfig config;
  private final Function<Vertx, RateLimiter> limiters;
  private final boolean api;
  private HttpServer server;
  private EventLoopProbe loopProbe;
  private RateLimiter limiter;

  /** {@code limiters} makes this instance's limiter (with a Redis client of its own) once it has a Vert.x. */
  public HttpServerVerticle(AppConfig config, Function<Vertx, RateLimiter> limiters) {
    this(config, limiters, true);
  }

  /** {@code api} false: a node without the http role still answers its probes and /metrics, nothing else. */
  public HttpServerVerticle(AppConfig config, Function<Vertx, RateLimiter> limiters, boolean api) {
    this.config = config;
    this.limiters = limiters;
    this.api = api;
  }

  /** Starts reading the API description (on a worker) so that the listeners find it read. */
  public static void prepare(Vertx vertx) {
    ApiDescription.load(vertx);
  }

  @Override
  public Future<?> start() {
    loopProbe = EventLoopProbe.start(vertx, "http");
    limiter = api ? limiters.apply(vertx) : null;
    return ApiDescription.load(vertx).compose(description -> {
      // one of each per listener: its routes and its LiveLane share the last liveness answer, the
      // client-address cache and the encoded security headers
      HealthRoutes health = healthRoutes(config);
      RequestFront front = new RequestFront(config);
      Router router = api ? router(vertx, config, description, limiter, health, front)
          : probes(vertx, config, health, front);
      server = vertx.createHttpServer(options(config))
          .invalidRequestHandler(InvalidRequests::handle)
          .requestHandler(LiveLane.inFrontOf(router, health, front, config));
      return server.listen();
    });
  }

  /**
   * Every route the service answers, in matching order; tests read the same router to check
   * openapi.yaml. {@code limiter} null: no limits.
   */
  public static Router router(Vertx vertx, AppConfig config, ApiDescription description, RateLimiter limiter) {
    return router(vertx, config, description, limiter, healthRoutes(config), new RequestFront(config));
  }

  private static Router router(Vertx vertx, AppConfig config, ApiDescription description, RateLimiter limiter,
                               HealthRoutes health, RequestFront front) {
    Router router = ApiRouter.create(vertx, config, limiter, front);
    long busTimeoutMs = config.server().http().timeout().toMillis();
    health.mount(router);
    new GreeterRoutes(busTimeoutMs).mount(router);
    new AuthRoutes(busTimeoutMs).mount(router);
    new AuditRoutes(busTimeoutMs).mount(router);
    new AdminRoutes(busTimeoutMs).mount(router);
    new FeatureRoutes(busTimeoutMs).mount(router);
    new PluginRoutes(busTimeoutMs).mount(router);
    MetricsRoute.mount(router, vertx, config.monitoring().metrics());
    new OpenApiRoutes(description).mount(router);
    if (description.swaggerUiRoot() != null) {
      // the docs flag (hot-reloaded) decides per request; unset, monitoring.docs.enabled does
      FeatureFlags flags = FeatureFlags.watching(vertx, config.features());
      new DocsRoutes(description.swaggerUiRoot(),
          () -> flags.enabled("docs", FeatureFlags.Caller.ANONYMOUS, config.monitoring().docsEnabled())).mount(router);
    }
    // last: it only answers what no route above claimed
    FrontendRoutes.forConfig(config).ifPresent(frontend -> frontend.mount(router));
    HttpAccessLog.labelFailures(router);
    return router;
  }

  /** Health and metrics only, never rate-limited (CONTRACT §5). */
  public static Router probes(Vertx vertx, AppConfig config) {
    return probes(vertx, config, healthRoutes(config), new RequestFront(config));
  }

  private static Router probes(Vertx vertx, AppConfig config, HealthRoutes health, RequestFront front) {
    Router router = ApiRouter.create(vertx, config, null, front);
    health.mount(router);
    MetricsRoute.mount(router, vertx, config.monitoring().metrics());
    HttpAccessLog.labelFailures(router);
    return router;
  }

  /** The health routes of one listener instance (its routes and its {@link LiveLane} share the last liveness answer). */
  private static HealthRoutes healthRoutes(AppConfig config) {
    return new HealthRoutes(HealthApi.transportTimeoutMs(config.monitoring().health().checkTimeout()));
  }

  static HttpServerOptions options(AppConfig config) {
    AppConfig.Http http = config.server().http();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setCompressionSupported(true)
        // no cleartext HTTP/2: over an h2c Upgrade, responses beyond a few kB were lost for the JDK
        // HttpClient (its default) and curl; the Upgrade header is then simply ignored (HTTP/1.1)
        .setHttp2ClearTextEnabled(false)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(16384)
        // a connection that has sent nothing for two minutes is closed (an idle keep-alive, a stalled
        // upload). Read idleness only: watching writes too costs a promise and a listener on every
        // write, and no response here takes minutes to send
        .setReadIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    AppConfig.Tls tls = config.security().tls();
    if (tls.enabled()) {
      options.setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString()));
    }
    return options;
  }

  /** Stops accepting, lets in-flight requests finish within server.shutdown_timeout, then closes. */
  @Override
  public Future<?> stop() {
    loopProbe.stop();
    return server.shutdown(config.server().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .eventually(() -> limiter == null ? Future.succeededFuture() : limiter.close());
  }
}
