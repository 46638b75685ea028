package io.xredline.data;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import io.xredline.observability.Telemetry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code xredline_cache_requests_total{cache,result=hit|miss}}. Every lookup (GET, HGET, EXISTS, …)
 * sent through a {@link #counting} client is counted, {@code cache} being the key's namespace after
 * the configured prefix ({@code xredline:captcha:…} → {@code captcha}); writes and scripts are not
 * lookups and pass through. A lookup that runs inside a Lua script is reported by the store that
 * knows what the script found ({@link #record}).
 */
public final class CacheLookups {
  static final String COUNTER = "xredline.cache.requests";
  private static final Set<Command> LOOKUPS = Set.of(Command.GET, Command.GETDEL, Command.GETEX, Command.HGET,
      Command.HGETALL, Command.HMGET, Command.MGET, Command.EXISTS, Command.HEXISTS, Command.SISMEMBER,
      Command.ZSCORE, Command.TTL, Command.PTTL);
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_-]{1,32}");
  /** More namespaces than this means keys are not namespaced; they count as {@code other}. */
  private static final int MAX_CACHES = 32;

  private final MeterRegistry registry;
  private final String keyPrefix;
  private final Set<String> caches = ConcurrentHashMap.newKeySet();

  CacheLookups(MeterRegistry registry, String keyPrefix) {
    this.registry = registry;
    this.keyPrefix = keyPrefix == null ? "" : keyPrefix;
  }

  /** Counting into the meters of the service instance {@code vertx} belongs to. */
  public static CacheLookups of(Vertx vertx, String keyPrefix) {
    return new CacheLookups(Telemetry.registry(vertx), keyPrefix);
  }

  public void record(String cache, boolean hit) {
    Counter.builder(COUNTER).description("Redis lookups by cache and result")
        .tag("cache", cache).tag("result", hit ? "hit" : "miss").register(registry).increment();
  }

  /** {@code api} with its lookups counted. Every RedisAPI method ends in {@code send(command, args)}, so all are seen. */
  RedisAPI counting(RedisAPI api) {
    return new RedisAPI() {
      @Override
      public Future<Response> send(Command command, String... args) {
        Future<Response> response = api.send(command, args);
        if (LOOKUPS.contains(command)) {
          String cache = cacheOf(args.length == 0 ? null : args[0]);
          response.onSuccess(r -> record(cache, hit(command, r)));
        }
        return response;
      }

      @Override
      public void close() {
        api.close();
      }
    };
  }

  static boolean hit(Command command, Response r) {
    if (r == null || r.type() == ResponseType.ERROR) {
      return false;
    }
    if (command == Command.EXISTS || command == Command.HEXISTS || command == Command.SISMEMBER) {
      return r.toLong() != null && r.toLong() > 0;
    }
    if (command == Command.TTL || command == Command.PTTL) {
      return r.toLong() != null && r.toLong() >= -1;
    }
    if (command == Command.HGETALL) {
      return r.size() > 0;
    }
    if (command == Command.MGET || command == Command.HMGET) {
      for (Response item : r) {
        if (item != null) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  private String cacheOf(String key) {
    if (key == null) {
      return "other";
    }
    String name = key.startsWith(keyPrefix) ? key.substring(keyPrefix.length()) : key;
    int colon = name.indexOf(':');
    String namespace = colon > 0 ? name.substring(0, colon) : "other";
    if (!NAMESPACE.matcher(namespace).matches()) {
      return "other";
    }
    if (!caches.contains(namespace) && caches.size() >= MAX_CACHES) {
      return "other";
    }
    caches.add(namespace);
    return namespace;
  }
}
