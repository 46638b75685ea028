package io.xredline.audit;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.xredline.auth.AuthApi;
import io.xredline.observability.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Takes every auth event off the bus without slowing its sender: an outbound interceptor sees each
 * message sent or published from this node under {@link AuthApi#EVENTS_PREFIX} (so a cluster stores
 * each event once), parses it and hands it on, on the sender's thread, nothing else.
 */
final class AuditCapture {
  private static final Logger LOG = LoggerFactory.getLogger(AuditCapture.class);

  private final EventBus bus;
  private final Consumer<AuditEvent> sink;
  private final Handler<DeliveryContext<Object>> interceptor = this::capture;

  AuditCapture(EventBus bus, Consumer<AuditEvent> sink) {
    this.bus = bus;
    this.sink = sink;
  }

  void start() {
    bus.addOutboundInterceptor(interceptor);
  }

  void stop() {
    bus.removeOutboundInterceptor(interceptor);
  }

  private void capture(DeliveryContext<Object> delivery) {
    String address = delivery.message().address();
    if (address != null && address.startsWith(AuthApi.EVENTS_PREFIX)) {
      AuditEvent event = AuditEvent.parse(address.substring(AuthApi.EVENTS_PREFIX.length()), delivery.body(),
          delivery.message().headers().get(RequestContext.REQUEST_ID_HEADER));
      if (event == null) {
        LOG.warn("audit event on {} ignored: body is not a JSON object", address);
      } else {
        sink.accept(event);
      }
    }
    delivery.next();
  }
}
