package io.xredline.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each health check's last outcome as {@code xredline_health_check_up{check}} and the worst
 * event-loop delay as {@code xredline_eventloop_delay_seconds}. Checks are sampled every
 * {@link #PERIOD_MS} and on each lifecycle milestone; gauges only read the last sample, so a
 * scrape never waits on a dependency.
 */
public final class HealthGauges extends VerticleBase {
  static final long PERIOD_MS = 5_000;

  private final AppConfig.Health config;
  private final Map<String, AtomicLong> checks = new ConcurrentHashMap<>();
  private MeterRegistry registry;

  public HealthGauges(AppConfig.Health config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    registry = Telemetry.registry(vertx);
    Gauge.builder("xredline.eventloop.delay", vertx, v -> EventLoopProbe.maxDelayMs(v) / 1000.0)
        .description("worst event-loop delay seen by the heartbeat probes").baseUnit("seconds").register(registry);
    vertx.setPeriodic(0, PERIOD_MS, id -> sample());
    // start-up and drain milestones change readiness at once; do not wait for the next period
    vertx.eventBus().localConsumer(HealthApi.CHANGED, message -> sample());
    return Future.succeededFuture();
  }

  private void sample() {
    long timeout = config.checkTimeout().toMillis() + 1000;
    HealthApi.query(vertx.eventBus(), HealthApi.Probe.ALL, timeout).onSuccess(report -> {
      for (Object item : report.body().getJsonArray("checks", new JsonArray())) {
        if (item instanceof JsonObject check && check.getString("id") != null) {
          gauge(check.getString("id")).set("UP".equals(check.getString("status")) ? 1 : 0);
        }
      }
    });
  }

  private AtomicLong gauge(String id) {
    return checks.computeIfAbsent(id, name -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("xredline.health.check.up", value, AtomicLong::get)
          .description("1 when the health check passed at the last sample").tag("check", name).register(registry);
      return value;
    });
  }
}
