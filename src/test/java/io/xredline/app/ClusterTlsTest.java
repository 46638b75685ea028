package io.xredline.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cluster.tls: the event bus between members is mutual TLS over the cluster's own CA. A process
 * that has the secret but no member certificate joins Hazelcast, yet no message reaches it and
 * nothing it sends reaches a member.
 */
@Tag("e2e")
@DisplayName("Event-bus TLS keeps processes without a member certificate off the bus")
// three Hazelcast members on loopback; the first takes several seconds alone
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTlsTest {

  @Test
  @DisplayName("members with certificates talk; a process without one receives nothing and reaches nobody")
  void mutualTls(@TempDir Path dir) throws Exception {
    certificates(dir);
    int[] ports = {TestBackends.freePort(), TestBackends.freePort(), TestBackends.freePort()};
    String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    String name = "xr-tls-" + System.nanoTime();
    String secret = "tls-test-secret-" + System.nanoTime();
    Map<String, String> tls = Map.of("cluster.tls.enabled", "true", "cluster.tls.cert_file", dir.resolve("member.pem").toString(),
        "cluster.tls.key_file", dir.resolve("member.key").toString(), "cluster.tls.ca_file", dir.resolve("ca.pem").toString());
    List<Clustering.Node> nodes = new ArrayList<>();
    List<Telemetry> telemetries = new ArrayList<>();
    try {
      Clustering.Node a = node(nodes, telemetries, name, secret, members, ports[0], tls);
      Clustering.Node b = node(nodes, telemetries, name, secret, members, ports[1], tls);
      Clustering.Node outsider = node(nodes, telemetries, name, secret, members, ports[2], Map.of());
      AtomicInteger bHeard = new AtomicInteger();
      AtomicInteger outsiderHeard = new AtomicInteger();
      b.vertx().eventBus().<JsonObject>consumer("test.tls.echo", m -> {
        bHeard.incrementAndGet();
        m.reply(new JsonObject().put("from", "b"));
      }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      outsider.vertx().eventBus().<JsonObject>consumer("test.tls.secret", m -> {
        outsiderHeard.incrementAndGet();
        m.reply(new JsonObject());
      }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      io.xredline.testing.Eventually.await("all three in one Hazelcast cluster (same secret)",
          () -> a.clusterManager().getNodes().size() == 3);

      JsonObject reply = request(a.vertx(), "test.tls.echo");
      assertThat(reply).as("member to member over TLS").isEqualTo(new JsonObject().put("from", "b"));

      for (int i = 0; i < 3; i++) {
        assertThat(requestFails(a.vertx(), "test.tls.secret")).as("a member's message to the outsider").isTrue();
        assertThat(requestFails(outsider.vertx(), "test.tls.echo")).as("the outsider's message to a member").isTrue();
      }
      assertThat(outsiderHeard.get()).as("messages the outsider received").isZero();
      assertThat(bHeard.get()).as("only the member's own request reached b").isEqualTo(1);
    } finally {
      for (int i = 0; i < nodes.size(); i++) {
        Telemetry t = telemetries.get(i);
        nodes.get(i).vertx().close().onComplete(ignored -> t.close());
      }
    }
  }

  private static Clustering.Node node(List<Clustering.Node> nodes, List<Telemetry> telemetries, String name, String secret,
                                      String members, int port, Map<String, String> tls) throws Exception {
    Map<String, String> conf = new HashMap<>(TestApp.defaults("tls"));
    conf.putAll(Map.of("cluster.enabled", "true", "cluster.name", name, "cluster.members", members,
        "cluster.port", String.valueOf(port), "cluster.secret", secret, "data.database.url", "postgresql://unused@127.0.0.1:1/none"));
    conf.putAll(tls);
    AppConfig config = TestApp.config(conf);
    Telemetry telemetry = Telemetry.create(config);
    Clustering.Node node = Clustering.start(config.cluster(), new VertxOptions(), telemetry)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes.add(node);
    telemetries.add(telemetry);
    return node;
  }

  private static JsonObject request(Vertx vertx, String address) throws Exception {
    return vertx.eventBus().<JsonObject>request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(10_000))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS).body();
  }

  private static boolean requestFails(Vertx vertx, String address) throws Exception {
    try {
      vertx.eventBus().<JsonObject>request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(2_000))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  /** A CA of the test's own and one member certificate it signed (PEM). */
  private static void certificates(Path dir) throws Exception {
    run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=xredline-test-cluster-ca");
    run(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "member.key", "-out", "member.csr", "-subj", "/CN=xredline-member");
    Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run(dir, "openssl", "x509", "-req", "-in", "member.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "member.pem", "-days", "2", "-extfile", "ext.cnf");
  }

  private static void run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
  }
}
