package io.xredline.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
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
    options.setEventBusOptions(new EventBusOptions()
        .setHost(cluster.host())
        .setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.publicHost() == null ? cluster.host() : cluster.publicHost()));
    return telemetry.builder(options).withClusterManager(manager).buildClustered()
        .map(vertx -> new Node(telemetry.attach(vertx), manager));
  }

  static Config hazelcast(AppConfig.Cluster cluster) {
    Config config = new Config();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
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
