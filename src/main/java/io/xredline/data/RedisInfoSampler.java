package io.xredline.data;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis {@code used_memory} and {@code expired_keys} from INFO, sampled every {@link #PERIOD_MS},
 * plus {@code xredline_redis_up}. Gauges only read the last sample, so a scrape never waits on
 * Redis. In sentinel and cluster mode the meters carry a {@code node} label ({@code host:port}),
 * one series per master and replica; a node that leaves the topology loses its series.
 */
public final class RedisInfoSampler extends VerticleBase {
  static final long PERIOD_MS = 10_000;

  private final AppConfig.Redis config;
  private final String url;
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong usedMemory = new AtomicLong(-1);
  private final AtomicLong expiredKeys = new AtomicLong();
  private final Map<String, NodeMeters> nodeMeters = new ConcurrentHashMap<>();
  private MeterRegistry registry;
  private Redis redis;
  private RedisNodes nodes;

  /** One node's last sample and the meters reading it. */
  private record NodeMeters(AtomicLong up, AtomicLong usedMemory, AtomicLong expiredKeys, List<Meter> meters) {
  }

  /** {@code url} is the standalone server; sentinel and cluster mode sample every node of the topology. */
  public RedisInfoSampler(AppConfig.Redis config, String url) {
    this.config = config;
    this.url = url;
  }

  @Override
  public Future<?> start() {
    registry = Telemetry.registry(vertx);
    if (config.mode() == AppConfig.RedisMode.STANDALONE) {
      redis = RedisClients.client(vertx, config, url);
      meters(Tags.empty(), up, usedMemory, expiredKeys);
    } else {
      nodes = new RedisNodes(vertx, config, PERIOD_MS / 4);
    }
    vertx.setPeriodic(0, PERIOD_MS, id -> sample());
    return Future.succeededFuture();
  }

  private List<Meter> meters(Tags tags, AtomicLong up, AtomicLong memory, AtomicLong expired) {
    return List.of(
        Gauge.builder("xredline.redis.up", up, AtomicLong::get).tags(tags)
            .description("1 when the last Redis INFO sample succeeded").register(registry),
        Gauge.builder("xredline.redis.used.memory", memory, AtomicLong::get).tags(tags)
            .description("Redis used_memory from INFO").baseUnit("bytes").register(registry),
        FunctionCounter.builder("xredline.redis.expired.keys", expired, AtomicLong::get).tags(tags)
            .description("Redis expired_keys from INFO").register(registry));
  }

  private void sample() {
    if (nodes == null) {
      sampleNode(redis.send(Request.cmd(Command.INFO)), up, usedMemory, expiredKeys);
      return;
    }
    nodes.discover().onSuccess(topology -> {
      nodes.retain(topology);
      Set<String> present = new HashSet<>();
      for (RedisNodes.Node node : topology.dataNodes()) {
        present.add(node.address());
        NodeMeters m = nodeMeters.computeIfAbsent(node.address(), address -> {
          AtomicLong nodeUp = new AtomicLong();
          AtomicLong memory = new AtomicLong(-1);
          AtomicLong expired = new AtomicLong();
          return new NodeMeters(nodeUp, memory, expired, meters(Tags.of("node", address), nodeUp, memory, expired));
        });
        sampleNode(nodes.send(node.url(), Request.cmd(Command.INFO)), m.up(), m.usedMemory(), m.expiredKeys());
      }
      nodeMeters.entrySet().removeIf(e -> {
        if (present.contains(e.getKey())) {
          return false;
        }
        e.getValue().meters().forEach(registry::remove);
        return true;
      });
    }).onFailure(e -> nodeMeters.values().forEach(m -> m.up().set(0)));
  }

  private static void sampleNode(Future<Response> info, AtomicLong up, AtomicLong memory, AtomicLong expired) {
    info.onComplete(reply -> {
      Map<String, String> fields = parseInfo(reply.toString());
      up.set(1);
      memory.set(parseLong(fields.get("used_memory"), memory.get()));
      expired.set(parseLong(fields.get("expired_keys"), expired.get()));
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
    return Future.join(redis == null ? Future.succeededFuture() : redis.close(),
        nodes == null ? Future.succeededFuture() : nodes.close());
  }
}
