package io.xredline.observability;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event bus's meters resolved once per address and side ({@link BusMeters}) give the series
 * vertx-micrometer gives: the same traffic on two Vert.x instances, one with each, both registries
 * with the service's filter for qualified addresses, scraped and compared line by line.
 */
@DisplayName("Bus meters: vertx-micrometer's series, resolved once per address and side")
class BusMetersTest {
  private static final String PINNED = "svc" + Telemetry.ADDRESS_QUALIFIER + "loop:1";
  /** Messages the handlers below process: 36 to svc (and svc@…), 1 quiet, 2 fails, 3 published to two handlers. */
  private static final double PROCESSED = 36 + 1 + 2 + 3 * 2;

  @Test
  @DisplayName("same names, labels, help, types and counts: requests, sends, publishes, a pinned handler, failures, unregistering")
  void sameSeries() throws Exception {
    Map<String, String> reference = traffic(new MicrometerMetricsOptions(), false);
    Map<String, String> cached = traffic(new MicrometerMetricsOptions(), true);
    assertThat(reference)
        .containsEntry("vertx_eventbus_sent_total{address=\"svc\",side=\"local\"}", "36.0")
        .containsEntry("vertx_eventbus_published_total{address=\"news\",side=\"local\"}", "3.0")
        .containsEntry("vertx_eventbus_handlers{address=\"svc\"}", "2.0") // the pinned one is not counted twice
        .containsEntry("vertx_eventbus_handlers{address=\"news\"}", "1.0")
        .containsEntry("vertx_eventbus_processed_total{address=\"news\",side=\"local\"}", "6.0")
        .containsEntry("vertx_eventbus_reply_failures_total{address=\"nobody\",failure=\"NO_HANDLERS\"}", "1.0")
        .containsEntry("vertx_eventbus_reply_failures_total{address=\"quiet\",failure=\"TIMEOUT\"}", "1.0")
        .containsEntry("vertx_eventbus_reply_failures_total{address=\"fails\",failure=\"RECIPIENT_FAILURE\"}", "2.0")
        .containsEntry("vertx_eventbus_pending{address=\"svc\",side=\"local\"}", "0.0");
    assertThat(reference.keySet()).noneMatch(series -> series.contains("@"));
    assertThat(cached).isEqualTo(reference);
  }

  @Test
  @DisplayName("without the address label, and with the bus category disabled, the same as vertx-micrometer too")
  void otherOptions() throws Exception {
    MicrometerMetricsOptions noAddress = new MicrometerMetricsOptions();
    Map<String, String> reference = traffic(noAddress, false, EnumSet.of(io.vertx.micrometer.Label.EB_SIDE));
    assertThat(reference).containsKey("vertx_eventbus_sent_total{side=\"local\"}");
    assertThat(traffic(noAddress, true, EnumSet.of(io.vertx.micrometer.Label.EB_SIDE))).isEqualTo(reference);
    MicrometerMetricsOptions disabled = new MicrometerMetricsOptions().addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    assertThat(traffic(disabled, true)).isEmpty();
    assertThat(traffic(disabled, false)).isEmpty();
  }

  private static Map<String, String> traffic(MicrometerMetricsOptions options, boolean cached) throws Exception {
    return traffic(options, cached, EnumSet.copyOf(Telemetry.LABELS));
  }

  /** The vertx_eventbus_* lines after a fixed mix of bus traffic, once nothing is pending. */
  private static Map<String, String> traffic(MicrometerMetricsOptions options, boolean cached,
                                             EnumSet<io.vertx.micrometer.Label> labels) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(Telemetry.qualifiedBusAddresses());
    VertxMetricsFactory factory = cached ? VertxMeters.factory(registry) : new MicrometerMetricsFactory(registry);
    options.setEnabled(true).setLabels(labels);
    Vertx vertx = Vertx.builder().withMetrics(factory).with(new VertxOptions().setMetricsOptions(options)).build();
    try {
      EventBus bus = vertx.eventBus();
      List<MessageConsumer<?>> consumers = List.of(
          bus.<String>consumer("svc", m -> m.reply("one")),
          bus.<String>consumer("svc", m -> m.reply("two")),
          bus.<String>consumer(PINNED, m -> m.reply("pinned")),
          bus.<String>consumer("quiet", m -> { }),
          bus.<String>consumer("fails", m -> m.fail(7, "no")),
          bus.<String>consumer("news", m -> { }),
          bus.<String>consumer("news", m -> { }));
      await(Future.all(consumers.stream().map(MessageConsumer::completion).toList()));
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        done.add(bus.request("svc", "hi"));
      }
      for (int i = 0; i < 11; i++) {
        done.add(bus.request(PINNED, "hi"));
      }
      for (int i = 0; i < 5; i++) {
        bus.send("svc", "fire and forget");
      }
      for (int i = 0; i < 3; i++) {
        bus.publish("news", "extra");
      }
      done.add(recovered(bus.request("nobody", "hi")));
      done.add(recovered(bus.request("quiet", "hi", new DeliveryOptions().setSendTimeout(50))));
      done.add(recovered(bus.request("fails", "hi")));
      done.add(recovered(bus.request("fails", "again")));
      await(Future.all(done));
      await(consumers.get(6).unregister());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Map<String, String> lines = lines(registry.scrape());
      while (!settled(lines) && System.nanoTime() < deadline) {
        Thread.sleep(10);
        lines = lines(registry.scrape());
      }
      assertThat(settled(lines)).as("every delivered message processed: %s", lines).isTrue();
      return lines;
    } finally {
      await(vertx.close());
      registry.close();
    }
  }

  private static Future<Object> recovered(Future<?> reply) {
    return reply.<Object>map(r -> r).otherwise(e -> e);
  }

  private static void await(Future<?> future) throws Exception {
    future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** No bus series at all, or nothing pending and every handler's messages processed (counted after it returns). */
  private static boolean settled(Map<String, String> lines) {
    return lines.isEmpty() || sum(lines, "vertx_eventbus_pending") == 0 && sum(lines, "vertx_eventbus_processed_total") == PROCESSED;
  }

  private static double sum(Map<String, String> lines, String prefix) {
    return lines.entrySet().stream().filter(e -> (e.getKey().startsWith(prefix + "{") || e.getKey().equals(prefix))
        && !e.getValue().isEmpty())
        .mapToDouble(e -> Double.parseDouble(e.getValue())).sum();
  }

  private static Map<String, String> lines(String scrape) {
    Map<String, String> out = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      boolean comment = line.startsWith("# ");
      String name = comment ? line.split(" ")[2] : line.split("[{ ]")[0];
      if (name.startsWith("vertx_eventbus_")) {
        out.put(comment ? line : line.substring(0, line.lastIndexOf(' ')),
            comment ? "" : line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return out;
  }
}
