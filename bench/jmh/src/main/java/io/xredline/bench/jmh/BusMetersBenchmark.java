package io.xredline.bench.jmh;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.xredline.observability.VertxMeters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.EnumSet;

/**
 * What the event bus's metrics cost one local request to a capability (sent, received, delivered:
 * the calls Vert.x makes for the message; its reply goes to an internal address, not counted), on a
 * registry with the service's labels: vertx-micrometer's own ({@code micrometer}) against the
 * service's ({@code service}, VertxMeters: BusMeters, meters resolved once per address and side).
 */
@State(Scope.Benchmark)
public class BusMetersBenchmark extends HotPathRun {
  private static final String ADDRESS = "xredline.greeter.say-hello";

  @Param({"micrometer", "service"})
  public String meters;

  private PrometheusMeterRegistry registry;
  private VertxMetrics vertxMetrics;
  @SuppressWarnings("rawtypes")
  private EventBusMetrics bus;
  private Object handler;

  @Setup(Level.Trial)
  public void setUp() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxMetricsFactory factory = "service".equals(meters) ? VertxMeters.factory(registry)
        : new MicrometerMetricsFactory(registry);
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE));
    vertxMetrics = factory.metrics(new VertxOptions().setMetricsOptions(options));
    bus = vertxMetrics.createEventBusMetrics();
    handler = bus.handlerRegistered(ADDRESS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertxMetrics.close();
    registry.close();
  }

  @Benchmark
  @SuppressWarnings("unchecked")
  public Object message() {
    bus.messageSent(ADDRESS, false, true, false);
    bus.messageReceived(ADDRESS, false, true, 1);
    bus.scheduleMessage(handler, true);
    bus.messageDelivered(handler, true);
    return handler;
  }
}
