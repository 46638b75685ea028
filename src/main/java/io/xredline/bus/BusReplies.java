package io.xredline.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.observability.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How capabilities answer on the bus and how transports read the answer. A failure travels as
 * {@code fail(status, json)} so it survives a clustered bus; anything that is not an
 * {@link AppError} is logged here and leaves as a bare INTERNAL with no internals.
 */
public final class BusReplies {
  private static final Logger LOG = LoggerFactory.getLogger(BusReplies.class);
  public static final String CLIENT_IP_HEADER = "x-client-ip";
  /** The client's User-Agent (at most {@link #USER_AGENT_MAX} characters), for the sessions list. */
  public static final String USER_AGENT_HEADER = "x-user-agent";
  public static final int USER_AGENT_MAX = 256;

  private BusReplies() {
  }

  public static void reply(Message<JsonObject> message, Future<JsonObject> result) {
    result.onComplete(ok -> message.reply(ok), failure -> fail(message, failure));
  }

  public static void fail(Message<?> message, Throwable failure) {
    AppError error = asAppError(failure, message.address());
    message.fail(error.status(), error.toJson().encode());
  }

  private static AppError asAppError(Throwable failure, String address) {
    if (failure instanceof AppError e) {
      return e;
    }
    LOG.error("unexpected failure handling {}", address, failure);
    return new AppError(Reason.INTERNAL, "internal error");
  }

  public static DeliveryOptions withRequestId(String requestId, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (requestId != null) {
      options.addHeader(RequestContext.REQUEST_ID_HEADER, requestId);
    }
    return options;
  }

  /** Request id and client address travel as headers so capabilities can log and audit them. */
  public static DeliveryOptions withOrigin(String requestId, String clientIp, long timeoutMs) {
    DeliveryOptions options = withRequestId(requestId, timeoutMs);
    if (clientIp != null) {
      options.addHeader(CLIENT_IP_HEADER, clientIp);
    }
    return options;
  }

  /** What a transport makes of a failed request: the capability's own error, or 503 when nobody answered. */
  public static AppError toAppError(Throwable failure) {
    if (failure instanceof AppError e) {
      return e;
    }
    if (failure instanceof ReplyException re) {
      switch (re.failureType()) {
        case NO_HANDLERS:
          return new AppError(Reason.SERVICE_UNAVAILABLE, "service not ready, try again shortly");
        case TIMEOUT:
          return new AppError(Reason.SERVICE_UNAVAILABLE, "service did not answer in time");
        default:
          try {
            return AppError.fromJson(new JsonObject(re.getMessage()));
          } catch (DecodeException | NullPointerException e) {
            return new AppError(Reason.INTERNAL, "internal error");
          }
      }
    }
    LOG.error("unexpected failure in transport", failure);
    return new AppError(Reason.INTERNAL, "internal error");
  }
}
