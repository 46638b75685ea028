package io.xredline.bus;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The other half of {@link CapabilityExport}, on a node without the capability: its local-only
 * addresses are answered here by whichever member exports them (the clustered bus picks them in
 * turn). A request nobody took is sent again, since it was never handled: for up to
 * {@code retryWindowMs} when it could not be written to the member chosen (one that died before the
 * cluster noticed), for up to {@link #NO_HANDLERS_WINDOW_MS} when no member serves it at all (one
 * restarting alone); then the transport answers 503. A request a member took and then lost is not
 * repeated: it may have been applied.
 */
public final class CapabilityImport extends VerticleBase {
  static final long NO_HANDLERS_WINDOW_MS = 250;
  private final List<String> addresses;
  private final long timeoutMs;
  private final long retryWindowMs;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  public CapabilityImport(List<String> addresses, long timeoutMs, long retryWindowMs) {
    this.addresses = List.copyOf(addresses);
    this.timeoutMs = timeoutMs;
    this.retryWindowMs = retryWindowMs;
  }

  @Override
  public Future<?> start() {
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : addresses) {
      MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(address, m -> forward(address, m));
      consumers.add(consumer);
      registered.add(consumer.completion());
    }
    return Future.all(registered);
  }

  private void forward(String address, Message<JsonObject> message) {
    long deadline = System.nanoTime() + retryWindowMs * 1_000_000L;
    long noHandlersDeadline = System.nanoTime() + Math.min(retryWindowMs, NO_HANDLERS_WINDOW_MS) * 1_000_000L;
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs)
        .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(message.headers()));
    Promise<Message<JsonObject>> answered = Promise.promise();
    attempt(CapabilityExport.remote(address), message.body(), options, deadline, noHandlersDeadline, 10, answered);
    answered.future().onComplete(reply -> message.reply(reply.body()), failure -> {
      if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        message.fail(re.failureCode(), re.getMessage());
      } else {
        BusReplies.fail(message, BusReplies.toAppError(failure));
      }
    });
  }

  private void attempt(String address, JsonObject body, DeliveryOptions options, long deadline, long noHandlersDeadline,
                       long backoffMs, Promise<Message<JsonObject>> answered) {
    vertx.eventBus().<JsonObject>request(address, body, options).onComplete(answered::complete, failure -> {
      long until = failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
          ? noHandlersDeadline : deadline;
      if (undelivered(failure) && System.nanoTime() + backoffMs * 1_000_000L < until) {
        vertx.setTimer(backoffMs, id -> attempt(address, body, options, deadline, noHandlersDeadline,
            Math.min(backoffMs * 2, 200), answered));
      } else {
        answered.fail(failure);
      }
    });
  }

  /** NO_HANDLERS: nobody registered (or the member had just left); ERROR: the message could not be written to it. */
  static boolean undelivered(Throwable failure) {
    return failure instanceof ReplyException re
        && (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.ERROR);
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> gone = new ArrayList<>();
    consumers.forEach(c -> gone.add(c.unregister()));
    return Future.join(gone);
  }
}
