package io.xredline.grpc;

import io.vertx.grpc.server.GrpcServerRequest;
import io.xredline.observability.RequestContext;

import java.util.UUID;
import java.util.regex.Pattern;

/** The gRPC twin of the REST request id: {@code x-request-id} metadata echoed when sane, else generated. */
final class GrpcRequestIds {
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private GrpcRequestIds() {
  }

  /** The id {@link GrpcAccessLog} bound for this call, so the log lines and the echoed metadata agree. */
  static String of(GrpcServerRequest<?, ?> request) {
    RequestContext bound = RequestContext.current();
    if (bound != null && bound.requestId() != null) {
      return bound.requestId();
    }
    String incoming = request.headers().get(UnaryCalls.REQUEST_ID_METADATA);
    return incoming != null && SANE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
  }
}
