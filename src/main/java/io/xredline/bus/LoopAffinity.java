package io.xredline.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.shareddata.LocalMap;
import io.xredline.observability.Telemetry;

/**
 * Same-loop delivery for the capabilities' local addresses. Every instance of a capability also
 * listens on {@link #pinned pinned(address, its event-loop thread)} and counts itself in the process's
 * registry; a sender running on an event loop that hosts an instance sends there, so the request,
 * the capability and their connections stay on one thread. Handing a message to another loop and
 * back costs two wake-ups and a wait for that thread to be scheduled: on two cores it halved what
 * {@code /api/v1/auth/me} could serve (bench/README.md, phase 4).
 * <p>Everywhere else (a worker thread, a loop with no instance, a member of a cluster) the plain
 * address is used and the bus spreads the requests over the instances as before. Metrics label a
 * pinned address as its plain one ({@link Telemetry}). A request sent to
 * a pinned address whose instance has just gone (it is stopping) is sent once more to the plain
 * address: nobody received it, so nothing was applied.
 */
public final class LoopAffinity {
  static final String MARK = Telemetry.ADDRESS_QUALIFIER + "loop:";
  private static final String REGISTRY = "xredline.bus.loop-affinity";

  private LoopAffinity() {
  }

  /** The address an instance on the loop thread {@code loop} answers besides {@code address}. */
  public static String pinned(String address, String loop) {
    return address + MARK + loop;
  }

  /**
   * When called on an event loop: a local consumer of the pinned form of {@code address} for this
   * loop, counted in the registry once registered. Elsewhere nothing (the plain address serves).
   * {@link Served#withdraw} takes it out of the registry again.
   */
  public static <T> Served pin(Vertx vertx, String address, Handler<Message<T>> handler) {
    String loop = currentLoop();
    if (loop == null) {
      return new Served(vertx, null, Future.succeededFuture());
    }
    String pinned = pinned(address, loop);
    Future<Void> registered = vertx.eventBus().localConsumer(pinned, handler).completion()
        .onSuccess(ignored -> registry(vertx).merge(pinned, 1, Integer::sum));
    return new Served(vertx, pinned, registered);
  }

  /**
   * {@code bus.request}, to this loop's instance of the capability when there is one; a request the
   * pinned address could not deliver goes to the plain address.
   */
  public static <T> Future<Message<T>> request(EventBus bus, String address, Object body, DeliveryOptions options) {
    String pinned = servedHere(address);
    if (pinned == null) {
      return bus.request(address, body, options);
    }
    return bus.<T>request(pinned, body, options).recover(failure -> failure instanceof ReplyException re
        && re.failureType() == ReplyFailure.NO_HANDLERS ? bus.request(address, body, options) : Future.failedFuture(failure));
  }

  /** The pinned address of {@code address} for the current loop when an instance serves it, else null. */
  static String servedHere(String address) {
    String loop = currentLoop();
    if (loop == null) {
      return null;
    }
    String pinned = pinned(address, loop);
    return registry(Vertx.currentContext().owner()).get(pinned) == null ? null : pinned;
  }

  /** The name of the event-loop thread running the caller, or null off an event loop. */
  private static String currentLoop() {
    Context context = Vertx.currentContext();
    return context == null || !context.isEventLoopContext() ? null : Thread.currentThread().getName();
  }

  private static LocalMap<String, Integer> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(REGISTRY);
  }

  /** One pinned address: its registration, and its withdrawal from the registry. */
  public static final class Served {
    private final Vertx vertx;
    private final String pinned;
    private final Future<Void> completion;

    private Served(Vertx vertx, String pinned, Future<Void> completion) {
      this.vertx = vertx;
      this.pinned = pinned;
      this.completion = completion;
    }

    /** Completes once the pinned consumer is registered and in the registry. */
    public Future<Void> completion() {
      return completion;
    }

    /** Senders stop choosing this instance's pinned address; its consumers go with the verticle. */
    public void withdraw() {
      if (pinned != null) {
        registry(vertx).computeIfPresent(pinned, (key, count) -> count <= 1 ? null : count - 1);
      }
    }
  }
}
