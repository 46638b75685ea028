package io.xredline.grpc;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.ServiceBuilder;
import io.xredline.bus.BusReplies;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.net.ClientAddresses;
import io.xredline.ratelimit.RateLimiter;
import io.xredline.observability.RequestContext;

import java.util.function.BiFunction;

/**
 * Binds a unary method so every call passes the per-address {@code default} limit (the REST routes'
 * twin; health and reflection are not bound here and never limited), then ends either with its
 * reply or with the shared error mapping. {@code limiter} null: no limit (a server built without Redis).
 */
record UnaryCalls(RateLimiter limiter, ClientAddresses addresses, long maxMessageBytes) {

  /** What a call knows besides its message: request id, the client's address, the request metadata. */
  record CallContext(String requestId, String clientIp, MultiMap metadata) {
  }

  <Req, Resp> void bind(ServiceBuilder builder, ServiceMethod<Req, Resp> method,
                        BiFunction<Req, String, Future<Resp>> call) {
    bindWithContext(builder, method, (request, context) -> call.apply(request, context.requestId()));
  }

  <Req, Resp> void bindWithContext(ServiceBuilder builder, ServiceMethod<Req, Resp> method,
                                   BiFunction<Req, CallContext, Future<Resp>> call) {
    builder.bind(method, request -> handle(request, method.decoder(), call));
  }

  /**
   * The message, decompressed within {@link #maxMessageBytes} and decoded here, or {@code null}: a
   * message the stock path cannot decode (or a gzip that is not one) makes the server reset the
   * stream (CANCELLED) where a client deserves INVALID_ARGUMENT and a reason, and its gzip has no
   * bound on what a small compressed message may inflate to.
   */
  private <T> T decode(GrpcMessageDecoder<T> decoder, GrpcMessage raw) {
    try {
      GrpcMessage plain = raw;
      if ("gzip".equals(raw.encoding())) {
        plain = GrpcMessage.message("identity", raw.format(), MessageBytes.gunzip(raw.payload(), maxMessageBytes));
      } else if (!"identity".equals(raw.encoding())) {
        return null;
      }
      return plain == null ? null : decoder.decode(plain);
    } catch (RuntimeException e) {
      // CodecException, or anything the protobuf or JSON parser throws
      return null;
    }
  }

  /** The same rule as REST: the peer, or what a trusted proxy says in its forwarding header. */
  static String clientIp(ClientAddresses addresses, HttpConnection connection, MultiMap headers) {
    String peer = connection == null || connection.remoteAddress() == null ? null : connection.remoteAddress().hostAddress();
    return addresses.resolve(peer, headers.getAll(addresses.header()));
  }

  private <Req, Resp> void handle(GrpcServerRequest<Req, Resp> request, GrpcMessageDecoder<Req> decoder,
                                  BiFunction<Req, CallContext, Future<Resp>> call) {
    String requestId = GrpcRequestIds.of(request);
    request.response().headers().set(RequestContext.REQUEST_ID_HEADER, requestId);
    String clientIp = clientIp(addresses, request.connection(), request.headers());
    CallContext context = new CallContext(requestId, clientIp, request.headers());
    request.messageHandler(raw -> {
      Req message = decode(decoder, raw);
      if (message == null) {
        GrpcErrors.send(request.response(), new AppError(Reason.BAD_REQUEST, "malformed request message"));
        return;
      }
      // a call that throws (validation) ends like one that fails
      Future.<Resp>future(p -> limit(clientIp).compose(v -> call.apply(message, context)).onComplete(p)).onComplete(
          reply -> request.response().end(reply),
          failure -> GrpcErrors.send(request.response(), BusReplies.toAppError(failure)));
    });
  }

  private Future<RateLimiter.Decision> limit(String clientIp) {
    if (limiter == null || !limiter.enabled()) {
      return Future.succeededFuture();
    }
    return limiter.enforce(RateLimiter.ip(clientIp), AppConfig.RateLimit.DEFAULT);
  }
}
