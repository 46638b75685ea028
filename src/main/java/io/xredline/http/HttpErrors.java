package io.xredline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.xredline.bus.BusReplies;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one REST rendering of an {@link AppError}: CONTRACT §3's envelope, status = code. */
public final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  public static void send(RoutingContext ctx, AppError error) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    JsonObject body = envelope(error, RequestIds.of(ctx));
    ctx.response().setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE);
    if (error.reason() == Reason.RATE_LIMITED && error.metadata().containsKey("retry_after_seconds")) {
      ctx.response().putHeader("retry-after", String.valueOf(error.metadata().getValue("retry_after_seconds")));
      RateLimitHeaders.add(ctx.response(), error.metadata());
    }
    ctx.response().end(body.encode());
  }

  /** CONTRACT §3's error body. */
  static JsonObject envelope(AppError error, String requestId) {
    return new JsonObject()
        .put("code", error.status())
        .put("reason", error.reason().name())
        .put("message", error.getMessage())
        .put("metadata", error.metadata())
        .put("request_id", requestId);
  }

  /** Renders whatever a handler or the router failed with; internals are logged, never sent. */
  public static void onFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof AppError e) {
      send(ctx, e);
      return;
    }
    int status = ctx.statusCode();
    if (failure instanceof HttpException he) {
      status = he.getStatusCode();
    }
    if (failure != null && status < 400) {
      status = 500;
      LOG.error("unhandled failure on {} {} request_id={}", ctx.request().method(), ctx.normalizedPath(),
          RequestIds.of(ctx), failure);
    } else if (failure != null && status >= 500 && status != 503) {
      LOG.error("failure {} on {} {} request_id={}", status, ctx.request().method(), ctx.normalizedPath(),
          RequestIds.of(ctx), failure);
    }
    send(ctx, forStatus(status, ctx));
  }

  static AppError forStatus(int status, RoutingContext ctx) {
    return switch (status) {
      case 400 -> new AppError(Reason.BAD_REQUEST, "malformed request");
      case 403 -> new AppError(Reason.FORBIDDEN, "forbidden");
      case 404 -> new AppError(Reason.NOT_FOUND, "no route for " + ctx.request().method() + " " + safePath(ctx));
      case 405 -> new AppError(Reason.METHOD_NOT_ALLOWED, "method " + ctx.request().method() + " not allowed here");
      case 413 -> new AppError(Reason.PAYLOAD_TOO_LARGE, "request body exceeds the limit");
      case 415 -> new AppError(Reason.UNSUPPORTED_MEDIA_TYPE, "content type must be application/json");
      case 429 -> new AppError(Reason.RATE_LIMITED, "too many requests");
      case 503 -> new AppError(Reason.SERVICE_UNAVAILABLE, "service unavailable or request timed out");
      default -> status >= 400 && status < 500
          ? new AppError(Reason.forStatus(status), "request refused")
          : new AppError(Reason.INTERNAL, "internal error");
    };
  }

  /** Echoes at most a bounded, printable path so a crafted URL cannot bloat or poison the body. */
  private static String safePath(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path == null) {
      return "/";
    }
    String printable = path.replaceAll("[^\\x20-\\x7E]", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "…" : printable;
  }

  /** Maps a failed bus request (or any failure) and sends it. */
  public static void sendFailure(RoutingContext ctx, Throwable failure) {
    send(ctx, BusReplies.toAppError(failure));
  }
}
