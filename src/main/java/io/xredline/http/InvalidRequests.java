package io.xredline.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.observability.AccessLog;
import io.xredline.observability.RequestContext;

/**
 * What the HTTP/1.x decoder could not parse (a request line or header block over the limits, a
 * broken request line): 400 with the contract envelope instead of Vert.x' bare 414/431/400, one
 * access line, then the connection closes.
 */
final class InvalidRequests {
  static final String ROUTE = "invalid";

  private InvalidRequests() {
  }

  static void handle(HttpServerRequest request) {
    long began = System.nanoTime();
    String requestId = RequestContext.requestIdOrNew(null);
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    String message;
    if (cause instanceof TooLongHttpHeaderException) {
      message = "request headers too large";
    } else if (cause instanceof TooLongHttpLineException) {
      message = "request line too long";
    } else {
      message = "malformed HTTP request";
    }
    AppError error = new AppError(Reason.BAD_REQUEST, message);
    request.response().setStatusCode(error.status())
        .putHeader("content-type", "application/json; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .putHeader(RequestContext.REQUEST_ID_HEADER, requestId)
        .putHeader("connection", "close")
        .end(HttpErrors.envelope(error, requestId).encode());
    SocketAddress peer = request.remoteAddress();
    AccessLog.write(request.method() == null ? "-" : request.method().name(), ROUTE, error.status(), began,
        peer == null ? null : peer.hostAddress());
  }
}
