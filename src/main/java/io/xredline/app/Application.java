package io.xredline.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.xredline.audit.AuditVerticle;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.EmbeddedServers;
import io.xredline.data.Migrations;
import io.xredline.greeter.GreeterVerticle;
import io.xredline.grpc.GrpcServerVerticle;
import io.xredline.health.HealthApi;
import io.xredline.health.HealthVerticle;
import io.xredline.http.HttpServerVerticle;
import io.xredline.observability.BusPropagation;
import io.xredline.observability.LogSetup;
import io.xredline.observability.MetricsSamplerVerticle;
import io.xredline.observability.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up order: metrics registry and tracer → embedded servers (if needed) → health, metric
 * sampling and HTTP (so probes and /metrics answer, startup DOWN) → migrations → audit and the
 * other capabilities → gRPC → startup UP. Any failure stops what was started.
 */
public final class Application {
  private static final Logger LIFECYCLE = LoggerFactory.getLogger(LogSetup.LIFECYCLE_LOGGER);

  private Application() {
  }

  /** Failure here means the service cannot run; {@link #start} has already released what it took. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  public static Future<RunningApp> start(AppConfig config) {
    return start(config, Telemetry.create(config));
  }

  /** {@code telemetry} is owned by the app from here on: it closes with it. */
  public static Future<RunningApp> start(AppConfig config, Telemetry telemetry) {
    long begin = System.nanoTime();
    Vertx vertx = telemetry.vertx(new VertxOptions().setPreferNativeTransport(false));
    BusPropagation.install(vertx);
    EmbeddedServers embedded = new EmbeddedServers();
    LIFECYCLE.info("xredline starting: env={}", config.env());
    // Not bound to a Vert.x context: a failed start completes it after Vert.x has closed, when
    // futures bound to the (closed) event loop would never call their listeners back.
    Promise<RunningApp> result = Promise.promise();
    vertx.executeBlocking(() -> embedded.start(config.data())).onComplete(backends -> {
      LIFECYCLE.info("database: {}", backends.databaseLabel());
      LIFECYCLE.info("cache: {}", backends.redisLabel());
      RunningApp app = new RunningApp(vertx, config, backends, embedded, telemetry);
      boot(app, config, backends).onComplete(started -> {
        LIFECYCLE.info("ready in {} ms", (System.nanoTime() - begin) / 1_000_000);
        result.complete(started);
      }, e -> app.stop().onComplete(ignored -> result.fail(e)));
    }, e -> vertx.close().onComplete(ignored -> {
      embedded.close();
      telemetry.close();
      result.fail(new StartupException(e.getMessage(), e));
    }));
    return result.future();
  }

  private static Future<RunningApp> boot(RunningApp app, AppConfig config, Backends backends) {
    Vertx vertx = app.vertx();
    AppConfig.Http http = config.server().http();
    AppConfig.Grpc grpc = config.server().grpc();
    return vertx.deployVerticle(new HealthVerticle(config, backends))
        .onSuccess(app::capability)
        .compose(id -> vertx.deployVerticle(new MetricsSamplerVerticle(config, backends)))
        .onSuccess(app::capability)
        .compose(id -> deploy(vertx, () -> new HttpServerVerticle(config), http.instances(),
            "HTTP listener on " + http.host() + ":" + http.port()))
        .onSuccess(id -> {
          app.transport(id);
          LIFECYCLE.info("HTTP listening on {}://{}:{} ({} instances)",
              config.security().tls().enabled() ? "https" : "http", http.host(), http.port(), http.instances());
        })
        .compose(id -> vertx.executeBlocking(() -> Migrations.run(backends.databaseUrl()))
            .recover(e -> Future.failedFuture(new StartupException("database migration failed: " + rootMessage(e), e))))
        .onSuccess(applied -> {
          LIFECYCLE.info("migrations: {} applied", applied);
          HealthApi.report(vertx.eventBus(), HealthApi.Phase.MIGRATED);
        })
        .compose(v -> vertx.deployVerticle(new AuditVerticle(config, backends)))
        .onSuccess(app::capability)
        .compose(v -> vertx.deployVerticle(new GreeterVerticle(config, backends)))
        .onSuccess(app::capability)
        .compose(id -> deploy(vertx, () -> new GrpcServerVerticle(config), grpc.instances(),
            "gRPC listener on " + grpc.host() + ":" + grpc.port()))
        .onSuccess(id -> {
          app.transport(id);
          LIFECYCLE.info("gRPC listening on {}:{} ({} instances)", grpc.host(), grpc.port(), grpc.instances());
          HealthApi.report(vertx.eventBus(), HealthApi.Phase.STARTED);
        })
        .map(v -> app);
  }

  private static Future<String> deploy(Vertx vertx, java.util.function.Supplier<io.vertx.core.Deployable> verticle,
                                       int instances, String what) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .recover(e -> Future.failedFuture(new StartupException(what + " failed: " + rootMessage(e), e)));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
