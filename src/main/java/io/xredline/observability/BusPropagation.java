package io.xredline.observability;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;

/**
 * Carries the request's ids across the event bus: every message sent while handling a request gets
 * {@code x-request-id} and {@code traceparent} headers (unless the sender or the tracer set them),
 * and the receiving side binds them to its delivery context before the consumer runs, so the
 * consumer's log lines carry the same request and trace ids. Replies are left alone.
 */
public final class BusPropagation {
  private static final String INTERNAL_PREFIX = "__vertx.";

  private final Handler<DeliveryContext<Object>> outbound = BusPropagation::outbound;
  private final Handler<DeliveryContext<Object>> inbound = BusPropagation::inbound;
  private final Vertx vertx;

  private BusPropagation(Vertx vertx) {
    this.vertx = vertx;
  }

  public static BusPropagation install(Vertx vertx) {
    BusPropagation propagation = new BusPropagation(vertx);
    vertx.eventBus().addOutboundInterceptor(propagation.outbound);
    vertx.eventBus().addInboundInterceptor(propagation.inbound);
    return propagation;
  }

  public void uninstall() {
    vertx.eventBus().removeOutboundInterceptor(outbound);
    vertx.eventBus().removeInboundInterceptor(inbound);
  }

  private static void outbound(DeliveryContext<Object> delivery) {
    RequestContext request = RequestContext.current();
    if (request != null && !isInternal(delivery.message().address())) {
      MultiMap headers = delivery.message().headers();
      if (request.requestId() != null && !headers.contains(RequestContext.REQUEST_ID_HEADER)) {
        headers.add(RequestContext.REQUEST_ID_HEADER, request.requestId());
      }
      if (!headers.contains(RequestContext.TRACEPARENT_HEADER)) {
        headers.add(RequestContext.TRACEPARENT_HEADER, request.traceparent());
      }
    }
    delivery.next();
  }

  private static void inbound(DeliveryContext<Object> delivery) {
    if (!isInternal(delivery.message().address())) {
      MultiMap headers = delivery.message().headers();
      String requestId = headers.get(RequestContext.REQUEST_ID_HEADER);
      String traceparent = headers.get(RequestContext.TRACEPARENT_HEADER);
      if (requestId != null || traceparent != null) {
        RequestContext.bind(RequestContext.start(RequestContext.saneRequestId(requestId) ? requestId : null, traceparent));
      }
    }
    delivery.next();
  }

  private static boolean isInternal(String address) {
    return address == null || address.startsWith(INTERNAL_PREFIX);
  }
}
