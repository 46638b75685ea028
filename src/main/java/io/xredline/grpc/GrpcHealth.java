package io.xredline.grpc;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthProto;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.ServiceBuilder;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code grpc.health.v1.Health} where the empty service name (and every service we serve) follows
 * readiness. The stock vertx-grpc-health answers SERVING for "" unconditionally, which would keep
 * a draining or dependency-less instance in a gRPC load balancer's rotation.
 */
final class GrpcHealth {
  static final ServiceName NAME = ServiceName.create("grpc.health.v1", "Health");
  static final long WATCH_INTERVAL_MS = 1000;

  private static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> CHECK = ServiceMethod.server(
      NAME, "Check", GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));
  private static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> WATCH = ServiceMethod.server(
      NAME, "Watch", GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));

  private final Vertx vertx;
  private final Set<String> services;
  private final Supplier<Future<Boolean>> ready;

  GrpcHealth(Vertx vertx, Set<String> services, Supplier<Future<Boolean>> ready) {
    this.vertx = vertx;
    this.services = services;
    this.ready = ready;
  }

  Service service() {
    ServiceBuilder builder = Service.service(NAME, HealthProto.getDescriptor().findServiceByName("Health"));
    builder.bind(CHECK, this::check);
    builder.bind(WATCH, this::watch);
    return builder.build();
  }

  private boolean known(String service) {
    return service.isEmpty() || services.contains(service);
  }

  private Future<HealthCheckResponse.ServingStatus> status(String service) {
    if (!known(service)) {
      return Future.succeededFuture(HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN);
    }
    return ready.get().map(up -> up ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING);
  }

  private void check(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> request) {
    request.handler(message -> {
      if (!known(message.getService())) {
        request.response().status(GrpcStatus.NOT_FOUND).statusMessage("unknown service").end();
        return;
      }
      status(message.getService()).onComplete(
          s -> request.response().end(HealthCheckResponse.newBuilder().setStatus(s).build()),
          e -> request.response().status(GrpcStatus.INTERNAL).end());
    });
  }

  /** Sends the status now and again whenever it changes, until the client goes away. */
  private void watch(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> request) {
    request.handler(message -> {
      String service = message.getService();
      AtomicReference<HealthCheckResponse.ServingStatus> last = new AtomicReference<>();
      Runnable poll = () -> status(service).onSuccess(s -> {
        if (last.getAndSet(s) != s) {
          request.response().write(HealthCheckResponse.newBuilder().setStatus(s).build());
        }
      });
      poll.run();
      long timer = vertx.setPeriodic(WATCH_INTERVAL_MS, id -> poll.run());
      request.exceptionHandler(e -> vertx.cancelTimer(timer));
      request.connection().closeHandler(v -> vertx.cancelTimer(timer));
    });
  }
}
