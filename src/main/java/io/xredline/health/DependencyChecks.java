package io.xredline.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** The individual probes. Each answers a {@link Status}; the caller adds timing and timeouts. */
final class DependencyChecks {
  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final WebClient web;

  DependencyChecks(Vertx vertx, Pool pool, Redis redis) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false).setFollowRedirects(false));
  }

  Future<Status> database() {
    return pool.query("SELECT 1").execute().map(rows -> Status.OK());
  }

  Future<Status> redis() {
    return redis.send(Request.cmd(Command.PING)).map(pong -> Status.OK());
  }

  static Future<Status> memory(double threshold) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
    double ratio = (double) heap.getUsed() / max;
    JsonObject data = new JsonObject().put("used_bytes", heap.getUsed()).put("max_bytes", max)
        .put("ratio", Math.round(ratio * 1000) / 1000.0).put("threshold", threshold);
    return Future.succeededFuture(ratio < threshold ? Status.OK(data) : Status.KO(data));
  }

  /** DOWN when any event loop's heartbeat is older than {@code maxDelayMs}: that loop is blocked. */
  Future<Status> eventLoops(long maxDelayMs) {
    long now = System.currentTimeMillis();
    long worstStale = 0;
    long worstLag = 0;
    int count = 0;
    for (JsonObject beat : EventLoopProbe.loops(vertx).values()) {
      count++;
      worstStale = Math.max(worstStale, now - beat.getLong("at"));
      worstLag = Math.max(worstLag, beat.getLong("lag_ms"));
    }
    long delay = Math.max(worstLag, worstStale - EventLoopProbe.INTERVAL_MS);
    JsonObject data = new JsonObject().put("loops", count).put("max_delay_ms", Math.max(0, delay))
        .put("threshold_ms", maxDelayMs);
    return Future.succeededFuture(delay <= maxDelayMs ? Status.OK(data) : Status.KO(data));
  }

  Future<Status> http(String url, long timeoutMs) {
    return web.getAbs(url).timeout(timeoutMs).send().map(response -> {
      JsonObject data = new JsonObject().put("status_code", response.statusCode());
      return response.statusCode() < 400 ? Status.OK(data) : Status.KO(data);
    });
  }

  static Future<Status> cluster(io.vertx.core.spi.cluster.ClusterManager manager, int minMembers) {
    int members = manager.isActive() ? manager.getNodes().size() : 0;
    JsonObject data = new JsonObject().put("members", members).put("min_members", minMembers)
        .put("node_id", manager.getNodeId());
    return Future.succeededFuture(manager.isActive() && members >= minMembers ? Status.OK(data) : Status.KO(data));
  }

  void close() {
    web.close();
  }
}
