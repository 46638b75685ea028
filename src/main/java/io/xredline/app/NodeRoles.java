package io.xredline.app;

import io.vertx.core.Future;
import io.vertx.core.spi.cluster.ClusterManager;
import io.xredline.auth.AuthApi;
import io.xredline.bus.CapabilityExport;
import io.xredline.bus.CapabilityImport;
import io.xredline.config.AppConfig;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a clustered node's roles meet across the bus. The auth capability listens local-only (its
 * messages carry passwords, tokens and codes), so a node holding it exports those addresses to the
 * cluster's members, and an edge node (http/grpc without auth) imports them. Greeter and audit
 * listen cluster-wide already; their export is only the ping an edge's readiness asks.
 */
final class NodeRoles {
  /** Operator-only or node-internal addresses: never offered to the cluster. */
  private static final Set<String> NOT_EXPORTED = Set.of(AuthApi.CREATE_USER, AuthApi.DELIVER_SMS, AuthApi.DELIVER_EMAIL);
  /** An undelivered request (no member, or one just leaving) is tried again this long before 503. */
  static final long RETRY_WINDOW_MS = 1_500;

  private NodeRoles() {
  }

  static Future<Void> bridge(RunningApp app, AppConfig config, ClusterManager clusterManager) {
    AppConfig.Cluster cluster = config.cluster();
    long timeoutMs = config.server().http().timeout().toMillis();
    long drainMs = config.server().shutdownTimeout().toMillis();
    Future<Void> chain = Future.succeededFuture();
    for (String capability : AppConfig.Cluster.CAPABILITIES) {
      if (cluster.has(capability)) {
        List<String> addresses = capability.equals("auth") ? authAddresses() : List.of();
        chain = chain.compose(v -> app.vertx().deployVerticle(new CapabilityExport(capability, addresses,
            clusterManager.getNodeId(), timeoutMs, drainMs, app.telemetry().registry(), clusterManager))
            .onSuccess(app::export).mapEmpty());
      }
    }
    if (cluster.needsFromCluster().contains("auth")) {
      chain = chain.compose(v -> app.vertx().deployVerticle(
          new CapabilityImport(authAddresses(), timeoutMs, Math.min(RETRY_WINDOW_MS, timeoutMs / 2)))
          .onSuccess(app::capability).mapEmpty());
    }
    return chain;
  }

  /** Every request address AuthApi declares, read from the class so a new one is bridged without a second list. */
  static List<String> authAddresses() {
    List<String> addresses = new ArrayList<>();
    for (Field field : AuthApi.class.getFields()) {
      int m = field.getModifiers();
      if (Modifier.isStatic(m) && Modifier.isFinal(m) && field.getType() == String.class) {
        try {
          String value = (String) field.get(null);
          if (value.startsWith("xredline.auth.") && !value.endsWith(".") && !NOT_EXPORTED.contains(value)) {
            addresses.add(value);
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return List.copyOf(addresses);
  }
}
