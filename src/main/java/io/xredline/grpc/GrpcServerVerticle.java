package io.xredline.grpc;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.xredline.api.auth.v1.AuthGrpcService;
import io.xredline.api.helloworld.v1.GreeterGrpcService;
import io.xredline.config.AppConfig;
import io.xredline.net.ClientAddresses;
import io.xredline.ratelimit.RateLimiter;
import io.xredline.health.EventLoopProbe;
import io.xredline.health.HealthApi;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gRPC transport on its own port: Greeter, {@code grpc.health.v1.Health} following readiness,
 * and server reflection. Like the REST verticle it only translates to and from the bus.
 */
public final class GrpcServerVerticle extends VerticleBase {
  private final AppConfig config;
  private final Function<Vertx, RateLimiter> limiters;
  private HttpServer server;
  private EventLoopProbe loopProbe;
  private RateLimiter limiter;

  /** {@code limiters} makes this instance's limiter (with a Redis client of its own) once it has a Vert.x. */
  public GrpcServerVerticle(AppConfig config, Function<Vertx, RateLimiter> limiters) {
    this.config = config;
    this.limiters = limiters;
  }

  @Override
  public Future<?> start() {
    loopProbe = EventLoopProbe.start(vertx, "grpc");
    long busTimeout = config.server().http().timeout().toMillis();
    long healthTimeout = HealthApi.transportTimeoutMs(config.monitoring().health().checkTimeout());
    limiter = limiters.apply(vertx);
    ClientAddresses addresses = new ClientAddresses(config.security().trustedProxies(), config.security().forwardedHeader());
    // a gRPC message may be as large as a REST body, compressed or not
    UnaryCalls calls = new UnaryCalls(limiter, addresses, config.server().http().maxBodySize());
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.addService(GreeterGrpc.service(vertx.eventBus(), busTimeout, calls));
    grpc.addService(AuthGrpc.service(vertx.eventBus(), busTimeout, calls));
    grpc.addService(new GrpcHealth(vertx, Set.of(GreeterGrpcService.SERVICE_NAME.fullyQualifiedName(),
        AuthGrpcService.SERVICE_NAME.fullyQualifiedName()),
        () -> ready(healthTimeout)).service());
    grpc.addService(ReflectionService.v1());
    AppConfig.Grpc options = config.server().grpc();
    server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
        .setIdleTimeout(300).setIdleTimeoutUnit(TimeUnit.SECONDS)).requestHandler(GrpcAccessLog.around(grpc, addresses));
    return server.listen();
  }

  private Future<Boolean> ready(long timeoutMs) {
    return HealthApi.query(vertx.eventBus(), HealthApi.Probe.READY, timeoutMs)
        .map(HealthApi.Report::up)
        .otherwise(false);
  }

  /** Stops accepting, lets in-flight requests finish within server.shutdown_timeout, then closes. */
  @Override
  public Future<?> stop() {
    loopProbe.stop();
    return server.shutdown(config.server().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .eventually(() -> limiter == null ? Future.succeededFuture() : limiter.close());
  }
}
