package io.xredline.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Vert.x meters: a message to a qualified bus address is counted under its plain address before any lookup")
class VertxMetersTest {
  private static final Set<String> PER_MESSAGE = Set.of("vertx.eventbus.sent", "vertx.eventbus.received",
      "vertx.eventbus.delivered", "vertx.eventbus.pending", "vertx.eventbus.published");

  @Test
  @DisplayName("per-message meters never see A@…: they are resolved by their plain id, not through the filter chain")
  void plainAddressesPerMessage() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ConcurrentLinkedQueue<Meter.Id> seen = new ConcurrentLinkedQueue<>();
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        seen.add(id);
        return id;
      }
    });
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(EnumSet.copyOf(Telemetry.LABELS));
    Vertx vertx = Vertx.builder().withMetrics(VertxMeters.factory(registry))
        .with(new VertxOptions().setMetricsOptions(options)).build();
    try {
      String pinned = "svc" + Telemetry.ADDRESS_QUALIFIER + "loop:test";
      vertx.eventBus().<String>consumer(pinned, m -> m.reply("ok")).completion()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      seen.clear(); // the handler's own meters are resolved once, at registration, through the filters
      List<Future<?>> replies = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        replies.add(vertx.eventBus().request(pinned, "hi"));
      }
      Future.all(replies).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(seen).filteredOn(id -> PER_MESSAGE.contains(id.getName()))
          .isNotEmpty()
          .allSatisfy(id -> assertThat(id.getTag("address")).isEqualTo("svc"))
          .doesNotHaveDuplicates();
      assertThat(registry.get("vertx.eventbus.sent").tag("address", "svc").counter().count()).isEqualTo(50.0);
      assertThat(registry.get("vertx.eventbus.received").tag("address", "svc").counter().count()).isEqualTo(50.0);
      assertThat(VertxMeters.plain("a.b@loop:x")).isEqualTo("a.b");
      assertThat(VertxMeters.plain("a.b")).isEqualTo("a.b");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      registry.close();
    }
  }
}
