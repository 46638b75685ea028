package io.xredline.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.testing.Eventually;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.OnRedisTopology;
import io.xredline.testing.RedisTopology;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code redis} health check and the {@code xredline_redis_*} meters, node by node, on real topologies. */
@Tag("e2e")
@DisplayName("Redis health and metrics per node in sentinel and cluster mode")
class RedisPerNodeTest {

  static JsonObject redisCheck(TestApp app) {
    JsonObject report = TestApp.json(app.get("/healthz"));
    return report.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> "redis".equals(c.getString("id"))).findFirst().orElseThrow();
  }

  static Map<String, JsonObject> nodes(JsonObject check) {
    JsonArray nodes = check.getJsonObject("data").getJsonArray("nodes");
    return nodes.stream().map(JsonObject.class::cast).collect(Collectors.toMap(n -> n.getString("node"), n -> n));
  }

  /** Every data node has its own up/used_memory/expired_keys series, labelled with its address. */
  static void assertNodeMeters(TestApp app, List<RedisTopology.Node> dataNodes) {
    Set<String> addresses = dataNodes.stream().map(RedisTopology.Node::address).collect(Collectors.toSet());
    MetricsScrape scrape = Eventually.value("a Redis INFO sample of every node", () -> MetricsScrape.of(app),
        s -> s.samples("xredline_redis_up").stream().filter(x -> x.value() == 1.0)
            .map(x -> x.labels().get("node")).collect(Collectors.toSet()).containsAll(addresses));
    assertThat(scrape.samples("xredline_redis_up")).extracting(x -> x.labels().get("node"))
        .containsExactlyInAnyOrderElementsOf(addresses);
    for (String node : addresses) {
      assertThat(scrape.sum("xredline_redis_used_memory_bytes", Map.of("node", node))).as(node).isPositive();
      assertThat(scrape.samples("xredline_redis_expired_keys_total")).anyMatch(x -> node.equals(x.labels().get("node")));
    }
  }

  @Nested
  @ExtendWith(OnRedisTopology.Cluster.class)
  @DisplayName("cluster")
  class Cluster {
    @Test
    @DisplayName("the check lists all six nodes with role, status and the masters' slots; every node has its own meters")
    void perNode(RedisTopology cluster) {
      try (TestApp app = TestApp.start("pernodecluster")) {
        JsonObject check = Eventually.value("the redis check UP with every node", () -> redisCheck(app),
            c -> "UP".equals(c.getString("status")) && nodes(c).size() == 6);
        JsonObject data = check.getJsonObject("data");
        assertThat(data.getString("mode")).isEqualTo("cluster");
        assertThat(data.getString("cluster_state")).isEqualTo("ok");
        Map<String, JsonObject> nodes = nodes(check);
        for (RedisTopology.Node node : cluster.dataNodes()) {
          JsonObject entry = nodes.get(node.address());
          assertThat(entry).as(node.toString()).isNotNull();
          assertThat(entry.getString("status")).isEqualTo("UP");
          assertThat(entry.getString("role")).isEqualTo("master".equals(node.role()) ? "master" : "replica");
          assertThat(entry.containsKey("slots")).isEqualTo("master".equals(node.role()));
        }
        assertThat(data.encode()).doesNotContain(cluster.password());
        assertNodeMeters(app, cluster.dataNodes());
      }
    }
  }

  @Nested
  @ExtendWith(OnRedisTopology.Sentinel.class)
  @DisplayName("sentinel")
  class Sentinel {
    @Test
    @DisplayName("the check names the master, its replica and the three sentinels; master and replica have their own meters")
    void perNode(RedisTopology sentinel) {
      try (TestApp app = TestApp.start("pernodesentinel")) {
        JsonObject check = Eventually.value("the redis check UP with every node", () -> redisCheck(app),
            c -> "UP".equals(c.getString("status")) && nodes(c).size() == 5);
        JsonObject data = check.getJsonObject("data");
        assertThat(data.getString("mode")).isEqualTo("sentinel");
        assertThat(data.getString("master_name")).isEqualTo(RedisTopology.MASTER_NAME);
        Map<String, JsonObject> nodes = nodes(check);
        RedisTopology.Node master = sentinel.sentinelMaster();
        assertThat(nodes.get(master.address()).getString("role")).isEqualTo("master");
        for (RedisTopology.Node replica : sentinel.replicasOf(master)) {
          assertThat(nodes.get(replica.address()).getString("role")).isEqualTo("replica");
        }
        for (RedisTopology.Node s : sentinel.sentinels()) {
          assertThat(nodes.get(s.address()).getString("role")).isEqualTo("sentinel");
          assertThat(nodes.get(s.address()).getString("status")).isEqualTo("UP");
        }
        assertThat(data.encode()).doesNotContain(sentinel.password());
        assertNodeMeters(app, sentinel.dataNodes());
      }
    }
  }
}
