package io.xredline.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.util.Base64;

/**
 * The gRPC rendering of an {@link AppError}: status code from the HTTP status, the same reason in an
 * {@code x-reason} trailer and a {@code google.rpc.ErrorInfo} detail (plus {@code google.rpc.RetryInfo}
 * when rate limited), the message as grpc-message.
 */
public final class GrpcErrors {
  public static final String REASON_TRAILER = "x-reason";
  public static final String DETAILS_TRAILER = "grpc-status-details-bin";
  public static final String DOMAIN = "xredline";

  private GrpcErrors() {
  }

  public static GrpcStatus status(int httpStatus) {
    return switch (httpStatus) {
      case 400, 413, 415 -> GrpcStatus.INVALID_ARGUMENT;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.NOT_FOUND;
      case 405 -> GrpcStatus.UNIMPLEMENTED;
      case 409 -> GrpcStatus.ALREADY_EXISTS;
      case 429 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 503 -> GrpcStatus.UNAVAILABLE;
      default -> GrpcStatus.INTERNAL;
    };
  }

  public static void send(GrpcServerResponse<?, ?> response, AppError error) {
    GrpcStatus status = status(error.status());
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(error.reason().name()).setDomain(DOMAIN);
    error.metadata().forEach(e -> info.putMetadata(e.getKey(), String.valueOf(e.getValue())));
    com.google.rpc.Status.Builder details = com.google.rpc.Status.newBuilder()
        .setCode(status.code)
        .setMessage(error.getMessage())
        .addDetails(Any.pack(info.build()));
    if (error.reason() == Reason.RATE_LIMITED && error.metadata().getValue("retry_after_seconds") instanceof Number retry) {
      // the gRPC twin of Retry-After: clients (and grpc-java's retry policy) read RetryInfo
      details.addDetails(Any.pack(RetryInfo.newBuilder()
          .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(retry.longValue())).build()));
    }
    response.trailers().set(REASON_TRAILER, error.reason().name());
    response.trailers().set(DETAILS_TRAILER, Base64.getEncoder().withoutPadding().encodeToString(details.build().toByteArray()));
    response.status(status).statusMessage(error.getMessage()).end();
  }
}
