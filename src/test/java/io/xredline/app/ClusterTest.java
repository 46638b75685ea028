package io.xredline.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.greeter.GreeterApi;
import io.xredline.observability.Telemetry;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes on loopback with a Hazelcast-clustered event bus: a request entering node A's HTTP
 * transport is answered by a greeter on node B, so only JSON crossed the bus; readiness follows
 * the cluster's membership.
 */
@Tag("e2e")
@DisplayName("The event bus works unchanged when clustered")
// two Hazelcast members join (the first takes several seconds alone) beside a full service start
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTest {

  @Test
  @DisplayName("node A's HTTP requests reach node B's greeter; readiness needs cluster.min_members")
  void clusteredBus() throws Exception {
    int portA = TestBackends.freePort();
    int portB = TestBackends.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    String name = "xr-test-" + System.nanoTime();

    Map<String, String> bOverrides = TestApp.defaults("clusterb");
    bOverrides.putAll(Map.of("cluster.enabled", "true", "cluster.name", name, "cluster.port", String.valueOf(portB),
        "cluster.members", members, "data.database.url", "postgresql://unused@127.0.0.1:1/none"));
    AppConfig configB = TestApp.config(bOverrides);
    Telemetry telemetryB = Telemetry.create(configB);
    Clustering.Node nodeB = Clustering.start(configB.cluster(), new VertxOptions(), telemetryB)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Vertx b = nodeB.vertx();
    try {
      b.eventBus().<JsonObject>consumer(GreeterApi.SAY_HELLO, msg -> msg.reply(
          new GreeterApi.Greeting("Hello " + msg.body().getString("name") + " from node-b").toJson()))
          .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      try (TestApp a = TestApp.start("clustera", Map.of("cluster.enabled", "true", "cluster.name", name,
          "cluster.port", String.valueOf(portA), "cluster.members", members, "cluster.min_members", "2",
          "monitoring.health.cache_ttl", "0s",
          // one greeter on each node, like node-b's: with several local instances the bus kept all 20 local
          "capabilities.greeter.instances", "1"))) {
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 20; i++) {
          var response = a.get("/helloworld/zed");
          assertThat(response.statusCode()).isEqualTo(200);
          answers.add(TestApp.json(response).getString("message"));
        }
        assertThat(answers).as("answered by both nodes' greeters").contains("Hello zed", "Hello zed from node-b");

        JsonObject ready = TestApp.json(a.get("/healthz/ready"));
        assertThat(ready.getString("status")).isEqualTo("UP");
        JsonObject cluster = ready.getJsonArray("checks").stream().map(JsonObject.class::cast)
            .filter(c -> "cluster".equals(c.getString("id"))).findFirst().orElseThrow();
        assertThat(cluster.getJsonObject("data").getInteger("members")).isEqualTo(2);

        b.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        io.xredline.testing.Eventually.await("readiness DOWN once fewer than min_members are visible",
            () -> a.get("/healthz/ready").statusCode() == 503);
        assertThat(a.get("/healthz/live").statusCode()).isEqualTo(200);
        assertThat(TestApp.json(a.get("/helloworld/alone")).getString("message")).isEqualTo("Hello alone");
      }
    } finally {
      b.close().onComplete(ignored -> telemetryB.close());
    }
  }
}
