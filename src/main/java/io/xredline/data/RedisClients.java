package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.xredline.config.AppConfig;
import io.xredline.config.Secrets;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the Redis clients: pooled connections, sizes and timeouts from config, in the configured
 * mode (one server, a Sentinel-managed master, or a Redis Cluster). Each {@code rediss://} URL turns
 * TLS on for that endpoint. Capabilities use {@link #api}, whose lookups are counted per cache.
 */
public final class RedisClients {
  private RedisClients() {
  }

  /**
   * A plain client, for probes and samplers, which are not cache traffic. {@code url} is the
   * standalone server (configured or embedded); sentinel and cluster mode use the endpoints.
   */
  public static Redis client(Vertx vertx, AppConfig.Redis config, String url) {
    RedisOptions options = pooled(config);
    switch (config.mode()) {
      case STANDALONE -> options.setType(RedisClientType.STANDALONE).setEndpoints(List.of(url));
      // every auth decision reads what it just wrote: always the master, never a lagging replica
      case SENTINEL -> options.setType(RedisClientType.SENTINEL).setEndpoints(config.endpoints())
          .setMasterName(config.masterName()).setRole(RedisRole.MASTER);
      case CLUSTER -> options.setType(RedisClientType.CLUSTER).setEndpoints(config.endpoints())
          .setUseReplicas(RedisReplicas.NEVER);
    }
    return Redis.createClient(vertx, options);
  }

  /** The client capabilities use: every lookup through it counts in {@link CacheLookups}; close() closes the pool. */
  public static RedisAPI api(Vertx vertx, AppConfig.Redis config, String url) {
    return api(client(vertx, config, url), CacheLookups.of(vertx, config.keyPrefix()));
  }

  public static RedisAPI api(Redis client, CacheLookups lookups) {
    return lookups.counting(RedisAPI.api(client));
  }

  /** A client for exactly one node (a sentinel, a master or a replica), for per-node health and metrics. */
  public static Redis node(Vertx vertx, AppConfig.Redis config, String nodeUrl) {
    RedisOptions options = pooled(config).setType(RedisClientType.STANDALONE).setEndpoints(List.of(nodeUrl))
        .setMaxPoolSize(1).setMaxPoolWaiting(16).setMaxWaitingHandlers(16);
    return Redis.createClient(vertx, options);
  }

  /** What start-up prints: where Redis is, passwords masked. */
  public static String label(AppConfig.Redis config, String url) {
    return switch (config.mode()) {
      case STANDALONE -> "Redis " + Secrets.maskUrl(url);
      case SENTINEL -> "Redis Sentinel, master " + config.masterName() + " via " + masked(config.endpoints());
      case CLUSTER -> "Redis Cluster via " + masked(config.endpoints());
    };
  }

  private static String masked(List<String> endpoints) {
    return endpoints.stream().map(Secrets::maskUrl).collect(Collectors.joining(", "));
  }

  private static RedisOptions pooled(AppConfig.Redis config) {
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout((int) config.connectTimeout().toMillis())
        .setTcpKeepAlive(true)
        .setHostnameVerificationAlgorithm(config.tls().verifyHostname() ? "HTTPS" : "");
    if (config.tls().trustFile() != null) {
      net.setTrustOptions(new PemTrustOptions().addCertPath(config.tls().trustFile().toString()));
    }
    // TLS is not switched on for the whole client: the client upgrades each rediss:// endpoint
    // (and the nodes discovered through it) and leaves redis:// endpoints plain
    return new RedisOptions()
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.maxWaitQueue())
        .setMaxWaitingHandlers(config.maxWaitQueue())
        .setPassword(config.password())
        .setNetClientOptions(net);
  }
}
