package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.xredline.config.AppConfig;

/**
 * Builds the Redis clients: pooled connections, sizes and timeouts from config; {@code rediss://}
 * turns TLS on. Capabilities use {@link #api}, whose lookups are counted per cache.
 */
public final class RedisClients {
  private RedisClients() {
  }

  /** A plain pooled client, for probes and samplers that look nothing up. */
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
    return Redis.createClient(vertx, options);
  }

  /** The client capabilities use: every lookup through it counts in {@link CacheLookups}; close() closes the pool. */
  public static RedisAPI api(Vertx vertx, AppConfig.Redis config, String url) {
    return api(client(vertx, config, url), CacheLookups.of(vertx, config.keyPrefix()));
  }

  public static RedisAPI api(Redis client, CacheLookups lookups) {
    return lookups.counting(RedisAPI.api(client));
  }
}
