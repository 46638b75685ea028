package io.xredline.observability;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.Cache;
import io.xredline.health.EventLoopProbe;
import io.xredline.health.HealthApi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Meters that need sampling rather than counting: each health check's last outcome
 * ({@code xredline_health_check_up{check}}), Redis {@code used_memory}/{@code expired_keys} from
 * INFO plus {@code xredline_redis_up}, and the worst event-loop delay. Gauges only read the last
 * sample, so a scrape never waits on a dependency.
 */
public final class MetricsSamplerVerticle extends VerticleBase {
  static final long HEALTH_PERIOD_MS = 5_000;
  static final long REDIS_PERIOD_MS = 10_000;

  private final AppConfig config;
  private final Backends backends;
  private final Map<String, AtomicLong> checks = new ConcurrentHashMap<>();
  private final AtomicLong redisUp = new AtomicLong();
  private final AtomicLong usedMemory = new AtomicLong(-1);
  private final AtomicLong expiredKeys = new AtomicLong();
  private MeterRegistry registry;
  private Redis redis;

  public MetricsSamplerVerticle(AppConfig config, Backends backends) {
    this.config = config;
    this.backends = backends;
  }

  @Override
  public Future<?> start() {
    registry = Telemetry.registry(vertx);
    redis = Cache.client(vertx, config.data().redis(), backends.redisUrl());
    Gauge.builder("xredline.eventloop.delay", vertx, v -> EventLoopProbe.maxDelayMs(v) / 1000.0)
        .description("worst event-loop delay seen by the heartbeat probes").baseUnit("seconds").register(registry);
    Gauge.builder("xredline.redis.up", redisUp, AtomicLong::get)
        .description("1 when the last Redis INFO sample succeeded").register(registry);
    Gauge.builder("xredline.redis.used.memory", usedMemory, AtomicLong::get)
        .description("Redis used_memory from INFO").baseUnit("bytes").register(registry);
    FunctionCounter.builder("xredline.redis.expired.keys", expiredKeys, AtomicLong::get)
        .description("Redis expired_keys from INFO").register(registry);
    vertx.setPeriodic(0, HEALTH_PERIOD_MS, id -> sampleHealth());
    // start-up and drain milestones change readiness at once; do not wait for the next period
    vertx.eventBus().localConsumer(HealthApi.CHANGED, message -> sampleHealth());
    vertx.setPeriodic(0, REDIS_PERIOD_MS, id -> sampleRedis());
    return Future.succeededFuture();
  }

  private void sampleHealth() {
    long timeout = config.monitoring().health().checkTimeout().toMillis() + 1000;
    HealthApi.query(vertx.eventBus(), HealthApi.Probe.ALL, timeout).onSuccess(report -> {
      for (Object item : report.body().getJsonArray("checks", new io.vertx.core.json.JsonArray())) {
        if (item instanceof JsonObject check && check.getString("id") != null) {
          checkGauge(check.getString("id")).set("UP".equals(check.getString("status")) ? 1 : 0);
        }
      }
    });
  }

  private AtomicLong checkGauge(String id) {
    return checks.computeIfAbsent(id, name -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("xredline.health.check.up", value, AtomicLong::get)
          .description("1 when the health check passed at the last sample").tag("check", name).register(registry);
      return value;
    });
  }

  private void sampleRedis() {
    redis.send(Request.cmd(Command.INFO)).onComplete(info -> {
      Map<String, String> fields = parseInfo(info.toString());
      redisUp.set(1);
      usedMemory.set(parseLong(fields.get("used_memory"), usedMemory.get()));
      expiredKeys.set(parseLong(fields.get("expired_keys"), expiredKeys.get()));
    }, failure -> redisUp.set(0));
  }

  static Map<String, String> parseInfo(String info) {
    Map<String, String> fields = new java.util.HashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return fields;
  }

  private static long parseLong(String value, long fallback) {
    try {
      return value == null ? fallback : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public Future<?> stop() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }
}
