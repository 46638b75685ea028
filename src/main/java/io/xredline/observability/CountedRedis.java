package io.xredline.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import io.vertx.redis.client.impl.RequestImpl;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The Redis client every capability gets from {@code Cache.client}: each lookup (GET, HGET,
 * EXISTS, …) sent through it counts {@code xredline_cache_requests_total{cache,result=hit|miss}},
 * {@code cache} being the key's namespace after the configured prefix
 * ({@code xredline:captcha:…} → {@code captcha}). Writes and scripts are not lookups and pass through.
 * Commands sent on a connection from {@link #connect()} are not counted.
 */
public final class CountedRedis implements Redis {
  static final String COUNTER = "xredline.cache.requests";
  private static final Set<Command> LOOKUPS = Set.of(Command.GET, Command.GETDEL, Command.GETEX, Command.HGET,
      Command.HGETALL, Command.HMGET, Command.MGET, Command.EXISTS, Command.HEXISTS, Command.SISMEMBER,
      Command.ZSCORE, Command.TTL, Command.PTTL);
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_-]{1,32}");
  /** More namespaces than this means keys are not namespaced; they count as {@code other}. */
  private static final int MAX_CACHES = 32;

  private final Redis delegate;
  private final MeterRegistry registry;
  private final String keyPrefix;
  private final Set<String> caches = ConcurrentHashMap.newKeySet();

  private CountedRedis(Redis delegate, MeterRegistry registry, String keyPrefix) {
    this.delegate = delegate;
    this.registry = registry;
    this.keyPrefix = keyPrefix == null ? "" : keyPrefix;
  }

  public static Redis wrap(Redis delegate, MeterRegistry registry, String keyPrefix) {
    return new CountedRedis(delegate, registry, keyPrefix);
  }

  @Override
  public Future<RedisConnection> connect() {
    return delegate.connect();
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  @Override
  public Future<Response> send(Request command) {
    Future<Response> response = delegate.send(command);
    if (LOOKUPS.contains(command.command())) {
      String cache = cacheOf(command);
      response.onSuccess(r -> count(cache, hit(command.command(), r)));
    }
    return response;
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    Future<List<Response>> responses = delegate.batch(commands);
    responses.onSuccess(list -> {
      for (int i = 0; i < Math.min(list.size(), commands.size()); i++) {
        Request command = commands.get(i);
        if (LOOKUPS.contains(command.command())) {
          count(cacheOf(command), hit(command.command(), list.get(i)));
        }
      }
    });
    return responses;
  }

  private void count(String cache, boolean hit) {
    Counter.builder(COUNTER).description("Redis lookups by cache and result")
        .tag("cache", cache).tag("result", hit ? "hit" : "miss").register(registry).increment();
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

  private String cacheOf(Request command) {
    if (!(command instanceof RequestImpl impl) || impl.keys().isEmpty()) {
      return "other";
    }
    String key = new String(impl.keys().get(0), StandardCharsets.UTF_8);
    if (key.startsWith(keyPrefix)) {
      key = key.substring(keyPrefix.length());
    }
    int colon = key.indexOf(':');
    String namespace = colon > 0 ? key.substring(0, colon) : "other";
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
