package io.xredline.grpc;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.ServiceBuilder;
import io.xredline.bus.BusReplies;
import io.xredline.observability.RequestContext;

import java.util.function.BiFunction;

/** Binds a unary method so every call ends either with its reply or with the shared error mapping. */
final class UnaryCalls {
  private UnaryCalls() {
  }

  /** What a call knows besides its message: request id, the peer's address, the request metadata. */
  record CallContext(String requestId, String clientIp, MultiMap metadata) {
  }

  static <Req, Resp> void bind(ServiceBuilder builder, ServiceMethod<Req, Resp> method,
                               BiFunction<Req, String, Future<Resp>> call) {
    bindWithContext(builder, method, (request, context) -> call.apply(request, context.requestId()));
  }

  static <Req, Resp> void bindWithContext(ServiceBuilder builder, ServiceMethod<Req, Resp> method,
                                          BiFunction<Req, CallContext, Future<Resp>> call) {
    builder.bind(method, request -> handle(request, call));
  }

  private static <Req, Resp> void handle(GrpcServerRequest<Req, Resp> request, BiFunction<Req, CallContext, Future<Resp>> call) {
    String requestId = GrpcRequestIds.of(request);
    request.response().headers().set(RequestContext.REQUEST_ID_HEADER, requestId);
    String clientIp = request.connection() == null || request.connection().remoteAddress() == null
        ? null : request.connection().remoteAddress().host();
    CallContext context = new CallContext(requestId, clientIp, request.headers());
    request.handler(message -> {
      // a call that throws (validation) ends like one that fails
      Future.<Resp>future(p -> call.apply(message, context).onComplete(p)).onComplete(
          reply -> request.response().end(reply),
          failure -> GrpcErrors.send(request.response(), BusReplies.toAppError(failure)));
    });
  }
}
