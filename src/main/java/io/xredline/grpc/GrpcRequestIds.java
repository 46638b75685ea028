package io.xredline.grpc;

import io.vertx.grpc.server.GrpcServerRequest;
import io.xredline.observability.RequestContext;

/** The gRPC twin of the REST request id: {@code x-request-id} metadata echoed when sane, else generated. */
final class GrpcRequestIds {
  private GrpcRequestIds() {
  }

  /** The id {@link GrpcAccessLog} bound for this call, so the log lines and the echoed metadata agree. */
  static String of(GrpcServerRequest<?, ?> request) {
    RequestContext bound = RequestContext.current();
    if (bound != null && bound.requestId() != null) {
      return bound.requestId();
    }
    return RequestContext.requestIdOrNew(request.headers().get(RequestContext.REQUEST_ID_HEADER));
  }
}
