package io.xredline.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.xredline.config.AppConfig;
import io.xredline.config.Secrets;
import io.xredline.data.RedisNodes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code redis} readiness check in sentinel and cluster mode. UP means the service can use
 * Redis right now: a PING through the same routing client the capabilities use answers, the cluster
 * says {@code cluster_state:ok} (cluster) and every node serving slots, or the master (sentinel),
 * answers its own PING. The data lists every node with its role and status, so an operator sees a
 * dead replica or sentinel before it matters. Standalone mode keeps its plain PING.
 */
final class RedisCheck {
  private final Redis redis;
  private final RedisNodes nodes;
  private final AppConfig.Redis config;

  RedisCheck(Redis redis, RedisNodes nodes, AppConfig.Redis config) {
    this.redis = redis;
    this.nodes = nodes;
    this.config = config;
  }

  Future<Status> status() {
    Future<Void> routed = redis.send(Request.cmd(Command.PING)).mapEmpty();
    Future<JsonObject> topology = nodes.discover().compose(this::probeNodes);
    return Future.join(routed, topology).transform(done -> {
      JsonObject data = new JsonObject().put("mode", config.mode().name().toLowerCase(Locale.ROOT));
      boolean up = routed.succeeded();
      if (routed.failed()) {
        data.put("error", message(routed.cause()));
      }
      if (topology.succeeded()) {
        JsonObject t = topology.result();
        up &= t.getBoolean("healthy");
        t.remove("healthy");
        data.mergeIn(t);
      } else {
        up = false;
        data.put("topology_error", message(topology.cause()));
      }
      if (config.mode() == AppConfig.RedisMode.SENTINEL) {
        data.put("master_name", config.masterName());
      }
      return Future.succeededFuture(up ? Status.OK(data) : Status.KO(data));
    });
  }

  private Future<JsonObject> probeNodes(RedisNodes.Topology topology) {
    nodes.retain(topology);
    List<Future<Boolean>> pings = new ArrayList<>();
    for (RedisNodes.Node node : topology.nodes()) {
      pings.add(nodes.send(node.url(), Request.cmd(Command.PING)).map(true).otherwise(false));
    }
    return Future.join(pings).transform(done -> {
      JsonArray list = new JsonArray();
      boolean healthy = topology.clusterState() == null || "ok".equals(topology.clusterState());
      boolean masterSeen = false;
      for (int i = 0; i < pings.size(); i++) {
        RedisNodes.Node node = topology.nodes().get(i);
        boolean answers = pings.get(i).result();
        JsonObject entry = new JsonObject().put("node", node.address())
            .put("role", node.role().name().toLowerCase(Locale.ROOT))
            .put("status", answers ? "UP" : "DOWN");
        if (node.servesSlots()) {
          entry.put("slots", node.slots());
        }
        if (node.failed()) {
          entry.put("failed", true);
        }
        list.add(entry);
        // the cluster client connects to every node serving slots; the sentinel client to the master
        boolean needed = config.mode() == AppConfig.RedisMode.CLUSTER ? node.servesSlots() : node.role() == RedisNodes.Role.MASTER;
        if (needed && !answers) {
          healthy = false;
        }
        masterSeen |= node.role() == RedisNodes.Role.MASTER && (config.mode() != AppConfig.RedisMode.CLUSTER || node.servesSlots());
      }
      JsonObject out = new JsonObject().put("nodes", list).put("healthy", healthy && masterSeen);
      if (topology.clusterState() != null) {
        out.put("cluster_state", topology.clusterState());
      }
      return Future.succeededFuture(out);
    });
  }

  private static String message(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    // a multi-line client error (one line per node) is kept to its first line
    int nl = m.indexOf('\n');
    return Secrets.maskUrlsIn(nl < 0 ? m : m.substring(0, nl));
  }
}
