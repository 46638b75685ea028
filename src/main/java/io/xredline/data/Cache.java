package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.xredline.config.AppConfig;

/** The Redis client: pooled connections, sizes and timeouts from config; {@code rediss://} turns TLS on. */
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
    return Redis.createClient(vertx, options);
  }
}
