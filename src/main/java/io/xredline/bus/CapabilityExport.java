package io.xredline.bus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Offers one capability of this node to the other members of the cluster: each of its local-only
 * addresses {@code A} is answered on the clustered address {@link #remote remote(A)}, and
 * {@link #ping ping(capability)} tells an edge node that someone serves it. The capability itself
 * keeps listening locally only, so what reaches it from outside this process came through a member
 * of the cluster (secret, TLS).
 * <p>Stopping drains. A clustered message that reaches a node with no handler is dropped (the
 * sender only times out), so the handlers cannot simply be unregistered: first this node's
 * registrations are taken out of the cluster's directory while the handlers stay, so senders stop
 * choosing it; what they had already sent is still answered until nothing arrived for
 * {@link #QUIET_MS} and nothing is in flight (bounded by {@code drainTimeoutMs}); then the handlers
 * go, then the capability, then the node leaves the cluster.
 */
public final class CapabilityExport extends VerticleBase {
  public static final String PREFIX = "xredline.cluster.";
  public static final String SERVED = "xredline.cluster.served";
  static final long QUIET_MS = 300;

  private final String capability;
  private final List<String> addresses;
  private final String nodeId;
  private final long timeoutMs;
  private final long drainTimeoutMs;
  private final MeterRegistry registry;
  private final ClusterManager clusterManager;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private Counter served;
  private int inFlight;
  private long lastArrival;

  public CapabilityExport(String capability, List<String> addresses, String nodeId, long timeoutMs,
                          long drainTimeoutMs, MeterRegistry registry, ClusterManager clusterManager) {
    this.clusterManager = clusterManager;
    this.capability = capability;
    this.addresses = List.copyOf(addresses);
    this.nodeId = nodeId;
    this.timeoutMs = timeoutMs;
    this.drainTimeoutMs = drainTimeoutMs;
    this.registry = registry;
  }

  public static String remote(String address) {
    return PREFIX + address;
  }

  public static String ping(String capability) {
    return PREFIX + "ping." + capability;
  }

  @Override
  public Future<?> start() {
    served = Counter.builder(SERVED).description("bus requests this node answered for other cluster members")
        .tag("capability", capability).register(registry);
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : addresses) {
      MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(remote(address), m -> forward(address, m));
      consumers.add(consumer);
      registered.add(consumer.completion());
    }
    MessageConsumer<JsonObject> pings = vertx.eventBus().consumer(ping(capability),
        m -> m.reply(new JsonObject().put("capability", capability).put("node", nodeId)));
    consumers.add(pings);
    registered.add(pings.completion());
    return Future.all(registered);
  }

  private void forward(String address, Message<JsonObject> message) {
    inFlight++;
    lastArrival = System.nanoTime();
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs)
        .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(message.headers()));
    vertx.eventBus().<JsonObject>request(address, message.body(), options).onComplete(reply -> {
      served.increment();
      message.reply(reply.body());
      inFlight--;
    }, failure -> {
      served.increment();
      if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        // the capability's own AppError JSON, passed on unchanged
        message.fail(re.failureCode(), re.getMessage());
      } else {
        BusReplies.fail(message, BusReplies.toAppError(failure));
      }
      inFlight--;
    });
  }

  @Override
  public Future<?> stop() {
    long deadline = System.nanoTime() + drainTimeoutMs * 1_000_000L;
    return withdraw().transform(ignored -> quiet(deadline)).transform(ignored -> {
      List<Future<Void>> gone = new ArrayList<>();
      consumers.forEach(c -> gone.add(c.unregister()));
      return Future.join(gone);
    });
  }

  /** Removes this node's entries for the exported addresses from the cluster's directory; the handlers stay. */
  private Future<Void> withdraw() {
    List<Future<Void>> removed = new ArrayList<>();
    String self = clusterManager.getNodeId();
    for (MessageConsumer<JsonObject> consumer : consumers) {
      Promise<List<RegistrationInfo>> found = Promise.promise();
      clusterManager.getRegistrations(consumer.address(), found);
      removed.add(found.future().compose(infos -> {
        List<Future<Void>> each = new ArrayList<>();
        for (RegistrationInfo info : infos) {
          if (self.equals(info.nodeId())) {
            Promise<Void> p = Promise.promise();
            clusterManager.removeRegistration(consumer.address(), info, p);
            each.add(p.future());
          }
        }
        return Future.join(each).mapEmpty();
      }));
    }
    lastArrival = System.nanoTime();
    return Future.join(removed).mapEmpty();
  }

  /** Completes once nothing is in flight and nothing arrived for QUIET_MS, or at the deadline. */
  private Future<Void> quiet(long deadline) {
    Promise<Void> quiet = Promise.promise();
    vertx.setPeriodic(20, id -> {
      long now = System.nanoTime();
      if ((inFlight == 0 && now - lastArrival > QUIET_MS * 1_000_000L) || now > deadline) {
        vertx.cancelTimer(id);
        quiet.tryComplete();
      }
    });
    return quiet.future();
  }
}
