package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.xredline.config.AppConfig;
import io.xredline.observability.CountedRedis;
import io.xredline.observability.Telemetry;

/**
 * The Redis client: pooled connections, sizes and timeouts from config; {@code rediss://} turns TLS on.
 * Lookups through it are counted per cache ({@link CountedRedis}).
 */
public final class Cache {
  private Cache() {
  }

  public static Redis client(Vertx vertx, AppConfig.Redis config, String url) {
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout((int) config.connectTimeout().toMillis())
        .setTcpKeepAlive(true)
        .setSsl(url.startsWith("rediss://"));
    RedisOptions options = new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.maxWaitQueue())
        .setMaxWaitingHandlers(config.maxWaitQueue())
        .setNetClientOptions(net);
    return CountedRedis.wrap(Redis.createClient(vertx, options), Telemetry.registry(vertx), config.keyPrefix());
  }
}
