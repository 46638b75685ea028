package io.xredline.data;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis {@code used_memory} and {@code expired_keys} from INFO, sampled every {@link #PERIOD_MS},
 * plus {@code xredline_redis_up}. Gauges only read the last sample, so a scrape never waits on Redis.
 */
public final class RedisInfoSampler extends VerticleBase {
  static final long PERIOD_MS = 10_000;

  private final AppConfig.Redis config;
  private final String url;
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong usedMemory = new AtomicLong(-1);
  private final AtomicLong expiredKeys = new AtomicLong();
  private Redis redis;

  public RedisInfoSampler(AppConfig.Redis config, String url) {
    this.config = config;
    this.url = url;
  }

  @Override
  public Future<?> start() {
    MeterRegistry registry = Telemetry.registry(vertx);
    redis = RedisClients.client(vertx, config, url);
    Gauge.builder("xredline.redis.up", up, AtomicLong::get)
        .description("1 when the last Redis INFO sample succeeded").register(registry);
    Gauge.builder("xredline.redis.used.memory", usedMemory, AtomicLong::get)
        .description("Redis used_memory from INFO").baseUnit("bytes").register(registry);
    FunctionCounter.builder("xredline.redis.expired.keys", expiredKeys, AtomicLong::get)
        .description("Redis expired_keys from INFO").register(registry);
    vertx.setPeriodic(0, PERIOD_MS, id -> sample());
    return Future.succeededFuture();
  }

  private void sample() {
    redis.send(Request.cmd(Command.INFO)).onComplete(info -> {
      Map<String, String> fields = parseInfo(info.toString());
      up.set(1);
      usedMemory.set(parseLong(fields.get("used_memory"), usedMemory.get()));
      expiredKeys.set(parseLong(fields.get("expired_keys"), expiredKeys.get()));
    }, failure -> up.set(0));
  }

  static Map<String, String> parseInfo(String info) {
    Map<String, String> fields = new HashMap<>();
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
