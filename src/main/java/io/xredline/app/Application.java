package io.xredline.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.xredline.audit.AuditVerticle;
import io.xredline.auth.AuthVerticle;
import io.xredline.auth.CaptchaDeliveryVerticle;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.ratelimit.RateLimiter;
import io.xredline.data.EmbeddedServers;
import io.xredline.data.Migrations;
import io.xredline.kms.RootKey;
import io.xredline.data.RedisInfoSampler;
import io.xredline.error.RootCause;
import io.xredline.features.FeaturesVerticle;
import io.xredline.greeter.GreeterVerticle;
import io.xredline.plugins.PluginHost;
import io.xredline.grpc.GrpcServerVerticle;
import io.xredline.health.HealthApi;
import io.xredline.health.HealthGauges;
import io.xredline.health.HealthVerticle;
import io.xredline.http.HttpServerVerticle;
import io.xredline.observability.BusPropagation;
import io.xredline.observability.LogSetup;
import io.xredline.observability.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up order: metrics registry and tracer → embedded servers (if needed) → health, metric
 * sampling and HTTP (so probes and /metrics answer, startup DOWN) while the migrations run on a
 * worker → audit (first, so it hears every later event) → the other capabilities side by side →
 * gRPC → startup UP. Any failure stops what was started.
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

  /**
   * The returned future is not bound to a Vert.x context: on failure Vert.x is already closed when
   * it completes, and a context-bound future would never call back.
   */
  public static Future<RunningApp> start(AppConfig config) {
    return start(config, Telemetry.create(config));
  }

  /** {@code telemetry} is owned by the app from here on: it closes with it. */
  public static Future<RunningApp> start(AppConfig config, Telemetry telemetry) {
    long begin = System.nanoTime();
    Promise<RunningApp> started = Promise.promise();
    LIFECYCLE.info("xredline starting: env={}", config.env());
    Clustering.start(config.cluster(), new VertxOptions().setPreferNativeTransport(false)
        .setEventLoopPoolSize(config.server().eventLoops()), telemetry).onComplete(
        node -> {
          BusPropagation.install(node.vertx());
          launch(node, config, telemetry, begin, started);
        },
        e -> {
          telemetry.close();
          started.fail(new StartupException("cluster join failed: " + RootCause.message(e), e));
        });
    return started.future();
  }

  private static void launch(Clustering.Node node, AppConfig config, Telemetry telemetry, long begin,
                             Promise<RunningApp> started) {
    Vertx vertx = node.vertx();
    if (node.clusterManager() != null) {
      LIFECYCLE.info("cluster: joined {} as {} ({} members)", config.cluster().name(), node.clusterManager().getNodeId(),
          node.clusterManager().getNodes().size());
    }
    RunningApp app = new RunningApp(vertx, config, new EmbeddedServers(), telemetry);
    vertx.executeBlocking(() -> app.embedded().start(config.data()))
        .recover(e -> Future.failedFuture(new StartupException(RootCause.message(e), e)))
        .compose(backends -> {
          app.backends(backends);
          LIFECYCLE.info("database: {}", backends.databaseLabel());
          LIFECYCLE.info("cache: {}", backends.redisLabel());
          return boot(app, config, backends, node.clusterManager());
        })
        .onComplete(ok -> {
          LIFECYCLE.info("ready in {} ms (env {})", (System.nanoTime() - begin) / 1_000_000, config.env());
          // one line each, so JSON collectors see them as events and a terminal shows a short list
          for (String[] url : Banner.urls(config, Banner.frontendBuilt(config))) {
            LIFECYCLE.info("  {} {}", url[0], url[1]);
          }
          started.complete(app);
        }, failure -> app.stop().onComplete(ignored -> started.fail(failure)));
  }

  private static Future<RunningApp> boot(RunningApp app, AppConfig config, Backends backends,
                                         ClusterManager clusterManager) {
    Vertx vertx = app.vertx();
    AppConfig.Http http = config.server().http();
    AppConfig.Grpc grpc = config.server().grpc();
    AppConfig.Capabilities capabilities = config.capabilities();
    AppConfig.Cluster cluster = config.cluster();
    LIFECYCLE.info("roles: {}", String.join(",", cluster.roles()));
    // without the http role, the health role still listens there: its probes and /metrics, nothing else
    boolean api = cluster.has("http");
    if (api) {
      HttpServerVerticle.prepare(vertx);
    }
    // the schema is the capabilities' business only: it migrates while the probes come up
    Future<Integer> migrations = vertx.executeBlocking(() -> Migrations.run(backends.databaseUrl(),
            RootKey.of(config.security().kms().masterKey()), config.auth().totp().encryptionKey()))
        .recover(e -> Future.failedFuture(new StartupException("database migration failed: " + RootCause.message(e), e)));
    Future<?> listening = deploy(vertx, () -> new HealthVerticle(config, backends, clusterManager), capabilities.health(), "health")
        .onSuccess(app::capability)
        .compose(id -> vertx.deployVerticle(new HealthGauges(config.monitoring().health())))
        .onSuccess(app::capability)
        .compose(id -> vertx.deployVerticle(new RedisInfoSampler(config.data().redis(), backends.redisUrl())))
        .onSuccess(app::capability)
        .compose(id -> when(api || cluster.has("health"), () -> deploy(vertx,
            () -> new HttpServerVerticle(config, v -> RateLimiter.create(v, config, backends), api),
            http.instances(), "HTTP listener on " + http.host() + ":" + http.port()), hid -> {
              app.transport(hid);
              LIFECYCLE.info("HTTP listening on {}://{}:{} ({} instances{})",
                  config.security().tls().enabled() ? "https" : "http", http.host(), http.port(), http.instances(),
                  api ? "" : ", probes and metrics only");
            }));
    // both settle before going on, so a failure of one never leaves the other running unseen
    return Future.join(listening, migrations)
        .compose(both -> migrations)
        .onSuccess(applied -> {
          LIFECYCLE.info("migrations: {} applied", applied);
          HealthApi.report(vertx.eventBus(), HealthApi.Phase.MIGRATED);
        })
        .compose(v -> when(cluster.has("audit"),
            () -> deploy(vertx, () -> new AuditVerticle(config, backends), capabilities.audit(), "audit"), app::capability))
        // independent of each other: deployed side by side (auth's start hashes its dummy password)
        .compose(v -> Future.join(
            when(cluster.has("greeter"),
                () -> deploy(vertx, () -> new GreeterVerticle(config, backends), capabilities.greeter(), "greeter"),
                app::capability),
            vertx.deployVerticle(new FeaturesVerticle(config)).onSuccess(app::capability),
            when(cluster.has("auth"),
                () -> deploy(vertx, () -> new AuthVerticle(config, backends), capabilities.auth(), "auth")
                    .onSuccess(app::capability)
                    .compose(id -> vertx.deployVerticle(new CaptchaDeliveryVerticle(config))),
                app::capability)))
        .onSuccess(id -> LIFECYCLE.info("capabilities: auth {}, greeter {}, health {}, audit {} instances",
            cluster.has("auth") ? capabilities.auth() : 0, cluster.has("greeter") ? capabilities.greeter() : 0,
            capabilities.health(), cluster.has("audit") ? capabilities.audit() : 0))
        .compose(id -> when(config.plugins().enabled(), () -> vertx.deployVerticle(new PluginHost(config.plugins())),
            app::capability))
        .compose(v -> clusterManager == null ? Future.succeededFuture() : NodeRoles.bridge(app, config, clusterManager))
        .compose(id -> when(cluster.has("grpc"), () -> deploy(vertx,
            () -> new GrpcServerVerticle(config, v -> RateLimiter.create(v, config, backends)), grpc.instances(),
            "gRPC listener on " + grpc.host() + ":" + grpc.port()), gid -> {
              app.transport(gid);
              LIFECYCLE.info("gRPC listening on {}:{} ({} instances)", grpc.host(), grpc.port(), grpc.instances());
            }))
        .onSuccess(id -> HealthApi.report(vertx.eventBus(), HealthApi.Phase.STARTED))
        .map(v -> app);
  }

  /** Deploys only when this node has the role; {@code deployed} hears the deployment id. */
  private static Future<?> when(boolean role, java.util.function.Supplier<Future<String>> deploy,
                                java.util.function.Consumer<String> deployed) {
    return role ? deploy.get().onSuccess(deployed::accept) : Future.succeededFuture();
  }

  private static Future<String> deploy(Vertx vertx, java.util.function.Supplier<io.vertx.core.Deployable> verticle,
                                       int instances, String what) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .recover(e -> Future.failedFuture(new StartupException(what + " failed: " + RootCause.message(e), e)));
  }
}
