package io.xredline.grpc;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.xredline.net.ClientAddresses;
import io.vertx.grpc.common.GrpcStatus;
import io.xredline.observability.AccessLog;
import io.xredline.observability.RequestContext;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * In front of the gRPC server, for every call (Greeter, health, reflection): binds the call's
 * request id ({@code x-request-id} metadata when sane, else generated) and trace to its context,
 * and writes one access line with the gRPC status when the call ends.
 */
final class GrpcAccessLog {
  static final String METHOD = "GRPC";

  private GrpcAccessLog() {
  }

  static Handler<HttpServerRequest> around(Handler<HttpServerRequest> grpc, ClientAddresses addresses) {
    return request -> {
      long began = System.nanoTime();
      String requestId = RequestContext.requestIdOrNew(request.getHeader(RequestContext.REQUEST_ID_HEADER));
      RequestContext.bind(RequestContext.start(requestId, request.getHeader(RequestContext.TRACEPARENT_HEADER)));
      AtomicBoolean logged = new AtomicBoolean();
      String route = request.path() == null || request.path().length() > 200 ? "unmatched" : request.path();
      String remoteIp = UnaryCalls.clientIp(addresses, request.connection(), request.headers());
      // Only the end of the response: a close handler on the HTTP/2 stream races the gRPC
      // server's own writes (Vert.x 5.0.7 then fails writing to a disposed stream), so a call the
      // client cancels before the server answers gets no access line.
      request.response().endHandler(v -> {
        if (logged.compareAndSet(false, true)) {
          HttpServerResponse response = request.response();
          AccessLog.write(METHOD, route, status(response.trailers(), response.headers()), began, remoteIp);
        }
      });
      grpc.handle(request);
    };
  }

  /** A Trailers-Only response carries grpc-status in the header block. */
  static String status(MultiMap trailers, MultiMap headers) {
    String code = trailers.get("grpc-status");
    if (code == null) {
      code = headers.get("grpc-status");
    }
    try {
      GrpcStatus status = code == null ? null : GrpcStatus.valueOf(Integer.parseInt(code));
      return status == null ? "UNKNOWN" : status.name();
    } catch (NumberFormatException e) {
      return "UNKNOWN";
    }
  }
}
