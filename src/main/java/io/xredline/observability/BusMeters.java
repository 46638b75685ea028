package io.xredline.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The event bus's meters, resolved once per address and side instead of on every message
 * ({@link VertxMeters} installs them in place of vertx-micrometer's). vertx-micrometer builds the
 * tags and looks a meter up in the registry for every message sent, and three times for every
 * message received (received, delivered, and the pending gauge, which it registers again each time);
 * here a message costs one map lookup on its address. The series are vertx-micrometer's: names,
 * tags ({@code address}, {@code side}, {@code failure}, as enabled), descriptions and meter types,
 * through the registry's filters, and a meter appears when vertx-micrometer would create it.
 *
 * <p>Messages to a qualified address {@code A@…} (bus.LoopAffinity) are counted under {@code A};
 * a handler's own meters keep the address it registered, for the registry's filter to name
 * ({@link Telemetry}). Internal addresses ({@code __vertx.…}, replies) are not counted, as before.
 */
final class BusMeters implements EventBusMetrics<BusMeters.Handler> {
  private static final String INTERNAL = "__vertx.";
  private static final String PENDING = "Number of messages not processed yet";

  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final boolean addressLabel;
  private final boolean sideLabel;
  private final boolean failureLabel;
  /** Every pending/handlers gauge's counter, by the id the registry gave it (after its filters). */
  private final Map<Meter.Id, LongAdder> gauges = new ConcurrentHashMap<>();
  private final Map<String, PerAddress> addresses = new ConcurrentHashMap<>();

  BusMeters(MeterRegistry registry, MicrometerMetricsOptions options) {
    this.registry = registry;
    this.names = options.getMetricsNaming().withBaseName("vertx." + MetricsDomain.EVENT_BUS.toCategory() + ".");
    this.addressLabel = options.getLabels().contains(Label.EB_ADDRESS);
    this.sideLabel = options.getLabels().contains(Label.EB_SIDE);
    this.failureLabel = options.getLabels().contains(Label.EB_FAILURE);
  }

  private static boolean internal(String address) {
    return address.startsWith(INTERNAL);
  }

  private Tags addressTags(String address) {
    return addressLabel ? Tags.of(Label.EB_ADDRESS.toString(), address) : Tags.empty();
  }

  private Tags sideTags(Tags tags, boolean local) {
    return sideLabel ? tags.and(Tag.of(Label.EB_SIDE.toString(), local ? "local" : "remote")) : tags;
  }

  private Counter counter(String name, String description, Tags tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  /**
   * The counter behind a gauge, shared by every registration that the registry resolves to the same
   * id: the first registration's (a second one gets the registered gauge back, whose value is the first's).
   */
  private LongAdder gauge(String name, String description, Tags tags) {
    LongAdder fresh = new LongAdder();
    Gauge gauge = Gauge.builder(name, fresh, LongAdder::doubleValue)
        .description(description)
        .tags(tags)
        .strongReference(true)
        .register(registry);
    return gauges.computeIfAbsent(gauge.getId(), id -> fresh);
  }

  private PerAddress perAddress(String address) {
    String plain = VertxMeters.plain(address);
    PerAddress known = addresses.get(plain);
    return known != null ? known : addresses.computeIfAbsent(plain, PerAddress::new);
  }

  @Override
  public Handler handlerRegistered(String address) {
    return internal(address) ? null : new Handler(address);
  }

  @Override
  public void handlerUnregistered(Handler handler) {
    if (handler != null) {
      handler.handlers.decrement();
    }
  }

  @Override
  public void messageDelivered(Handler handler, boolean local) {
    if (handler != null) {
      (local ? handler.pendingLocal : handler.pendingRemote).decrement();
      (local ? handler.processedLocal : handler.processedRemote).increment();
    }
  }

  @Override
  public void discardMessage(Handler handler, boolean local, Message<?> msg) {
    if (handler != null) {
      (local ? handler.pendingLocal : handler.pendingRemote).decrement();
      (local ? handler.discardedLocal : handler.discardedRemote).increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    if (!internal(address)) {
      PerSide side = perAddress(address).side(local);
      (publish ? side.published : side.sent).get().increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    if (!internal(address)) {
      PerSide side = perAddress(address).side(local);
      side.received.get().increment();
      if (handlers > 0) {
        side.pending.get().add(handlers);
        side.delivered.get().increment();
      }
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    if (!internal(address)) {
      perAddress(address).written.get().record(numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    if (!internal(address)) {
      perAddress(address).read.get().record(numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!internal(address)) {
      // rare: looked up when it happens
      Tags tags = addressTags(VertxMeters.plain(address));
      counter(names.getEbReplyFailures(), "Number of message reply failures",
          failureLabel ? tags.and(Label.EB_FAILURE.toString(), failure.name()) : tags).increment();
    }
  }

  /** One registered handler's meters, under the address it registered. */
  final class Handler {
    final LongAdder handlers;
    final LongAdder pendingLocal;
    final LongAdder pendingRemote;
    final Counter processedLocal;
    final Counter processedRemote;
    final Counter discardedLocal;
    final Counter discardedRemote;

    Handler(String address) {
      Tags tags = addressTags(address);
      handlers = gauge(names.getEbHandlers(), "Number of event bus handlers in use", tags);
      handlers.increment();
      Tags local = sideTags(tags, true);
      Tags remote = sideTags(tags, false);
      pendingLocal = gauge(names.getEbPending(), PENDING, local);
      processedLocal = counter(names.getEbProcessed(), "Number of processed messages", local);
      discardedLocal = counter(names.getEbDiscarded(), "Number of discarded messages", local);
      pendingRemote = gauge(names.getEbPending(), PENDING, remote);
      processedRemote = counter(names.getEbProcessed(), "Number of processed messages", remote);
      discardedRemote = counter(names.getEbDiscarded(), "Number of discarded messages", remote);
    }
  }

  /** The meters of one plain address: per side, and the cluster's byte sizes. */
  private final class PerAddress {
    final PerSide local;
    final PerSide remote;
    final Lazy<DistributionSummary> written;
    final Lazy<DistributionSummary> read;

    PerAddress(String address) {
      Tags tags = addressTags(address);
      local = new PerSide(sideTags(tags, true));
      remote = new PerSide(sideTags(tags, false));
      written = new Lazy<>(() -> DistributionSummary.builder(names.getEbBytesWritten())
          .description("Number of bytes sent while sending messages to event bus cluster peers")
          .tags(tags).register(registry));
      read = new Lazy<>(() -> DistributionSummary.builder(names.getEbBytesRead())
          .description("Number of bytes received while reading messages from event bus cluster peers")
          .tags(tags).register(registry));
    }

    PerSide side(boolean isLocal) {
      return isLocal ? local : remote;
    }
  }

  /** One address and side's message meters. */
  private final class PerSide {
    final Lazy<Counter> sent;
    final Lazy<Counter> published;
    final Lazy<Counter> received;
    final Lazy<Counter> delivered;
    final Lazy<LongAdder> pending;

    PerSide(Tags tags) {
      sent = new Lazy<>(() -> counter(names.getEbSent(), "Number of messages sent (point-to-point)", tags));
      published = new Lazy<>(() -> counter(names.getEbPublished(), "Number of messages published (publish / subscribe)", tags));
      received = new Lazy<>(() -> counter(names.getEbReceived(), "Number of messages received", tags));
      delivered = new Lazy<>(() -> counter(names.getEbDelivered(), "Number of messages delivered to handlers", tags));
      pending = new Lazy<>(() -> gauge(names.getEbPending(), PENDING, tags));
    }
  }

  /**
   * A meter registered on first use, so the series that exist are those vertx-micrometer would make.
   * Two threads racing on the first use both register it, and the registry hands both the same meter.
   */
  private static final class Lazy<T> {
    private final Supplier<T> register;
    private volatile T meter;

    Lazy(Supplier<T> register) {
      this.register = register;
    }

    T get() {
      T known = meter;
      if (known == null) {
        known = register.get();
        meter = known;
      }
      return known;
    }
  }
}
