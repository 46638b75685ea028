package io.xredline.app;

import com.hazelcast.config.Config;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;

/**
 * Builds the Vert.x instance: plain, or a member of a Hazelcast cluster (TCP-IP join to the listed
 * members, no multicast, nothing phoned home) whose event bus spans the nodes. Only JSON crosses it.
 */
final class Clustering {
  private Clustering() {
  }

  record Node(Vertx vertx, ClusterManager clusterManager) {
  }

  static Future<Node> start(AppConfig.Cluster cluster, VertxOptions options, Telemetry telemetry) {
    if (!cluster.enabled()) {
      return Future.succeededFuture(new Node(telemetry.vertx(options), null));
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(cluster));
    options.setEventBusOptions(eventBus(cluster));
    return telemetry.builder(options).withClusterManager(manager).buildClustered()
        .map(vertx -> new Node(telemetry.attach(vertx), manager));
  }

  /**
   * With {@code cluster.tls}, both ends of every event-bus connection present a certificate signed
   * by the cluster CA: a process without one can neither send to a member nor be sent to.
   */
  static EventBusOptions eventBus(AppConfig.Cluster cluster) {
    EventBusOptions options = new EventBusOptions()
        .setHost(cluster.host())
        .setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.publicHost() == null ? cluster.host() : cluster.publicHost());
    AppConfig.ClusterTls tls = cluster.tls();
    if (tls.enabled()) {
      options.setSsl(true)
          .setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString()))
          // members dial each other by IP (Vert.x verifies no host name there): the cluster's own CA is the identity
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile().toString()));
    }
    return options;
  }

  /**
   * Hazelcast (open source) has no member authentication, and a member whose cluster name differs
   * is refused at join. So the name a member uses is derived from the secret: a node with another
   * secret (or none) forms a cluster of its own and never sees this one's subscriptions or messages.
   * The secret itself never travels.
   */
  static String clusterName(AppConfig.Cluster cluster) {
    if (cluster.secret() == null) {
      return cluster.name();
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(cluster.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal(("xredline-cluster:" + cluster.name()).getBytes(StandardCharsets.UTF_8));
      return cluster.name() + "-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static Config hazelcast(AppConfig.Cluster cluster) {
    Config config = new Config();
    config.setClusterName(clusterName(cluster));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // a member killed without leaving is dropped after 15 s of silence (default 60 s); on loopback a
    // refused reconnect drops it sooner
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true);
    if (cluster.publicHost() != null) {
      network.setPublicAddress(cluster.publicHost() + ":" + cluster.port());
    }
    network.getInterfaces().setEnabled(!"0.0.0.0".equals(cluster.host())).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetesServiceDns() != null) {
      // DNS lookup mode: the headless Service's name resolves to every pod; needs no Kubernetes API access
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", cluster.kubernetesServiceDns());
    } else {
      join.getTcpIpConfig().setEnabled(true);
      // one <member> per entry: a port range in a single entry is not supported by the TCP-IP joiner
      cluster.members().forEach(join.getTcpIpConfig()::addMember);
    }
    return config;
  }
}
