package io.xredline.app;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.EmbeddedServers;
import io.xredline.health.HealthApi;
import io.xredline.observability.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A started service and the order to take it down in. */
public final class RunningApp {
  private static final Logger LIFECYCLE = LoggerFactory.getLogger(io.xredline.observability.LogSetup.LIFECYCLE_LOGGER);

  private final Vertx vertx;
  private final AppConfig config;
  private final EmbeddedServers embedded;
  private final Telemetry telemetry;
  private final List<String> transports = new ArrayList<>();
  private final List<String> capabilities = new ArrayList<>();
  private final List<String> exports = new ArrayList<>();
  private Future<Void> stopping;

  private Backends backends;

  RunningApp(Vertx vertx, AppConfig config, EmbeddedServers embedded, Telemetry telemetry) {
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.config = config;
    this.embedded = embedded;
  }

  void backends(Backends backends) {
    this.backends = backends;
  }

  void transport(String deploymentId) {
    transports.add(deploymentId);
  }

  void capability(String deploymentId) {
    capabilities.add(deploymentId);
  }

  /** What this node serves for other cluster members: withdrawn first on stop, while its capabilities still answer. */
  void export(String deploymentId) {
    exports.add(deploymentId);
  }

  public Vertx vertx() {
    return vertx;
  }

  public AppConfig config() {
    return config;
  }

  EmbeddedServers embedded() {
    return embedded;
  }

  public Backends backends() {
    return backends;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  /**
   * Graceful stop: readiness DOWN, then what this node serves the cluster is withdrawn and drained,
   * then transports drain (bounded by server.shutdown_timeout), then
   * capabilities and pools close, then Vert.x, then the embedded servers. Idempotent.
   */
  public synchronized Future<Void> stop() {
    if (stopping != null) {
      return stopping;
    }
    LIFECYCLE.info("shutting down: readiness DOWN, serving {} more, then draining in-flight requests (up to {})",
        io.xredline.config.Units.format(config.server().shutdownDelay()),
        io.xredline.config.Units.format(config.server().shutdownTimeout()));
    HealthApi.report(vertx.eventBus(), HealthApi.Phase.DRAINING);
    List<String> reversedCapabilities = new ArrayList<>(capabilities);
    Collections.reverse(reversedCapabilities);
    long delayMs = config.server().shutdownDelay().toMillis();
    Future<Void> delay = delayMs == 0 ? Future.succeededFuture()
        : Future.future(p -> vertx.setTimer(delayMs, id -> p.complete()));
    // completed from a plain thread: callers must hear back even though Vert.x is closed by then
    Promise<Void> stopped = Promise.promise();
    stopping = stopped.future();
    delay
        .compose(v -> undeployAll(exports))
        .compose(v -> undeployAll(transports))
        .compose(v -> undeployAll(reversedCapabilities))
        .eventually(vertx::close)
        .onComplete(ar -> {
          telemetry.close();
          stopEmbedded(stopped);
        });
    return stopping;
  }

  /** Vert.x is closed by now, so the blocking stop runs on a thread of its own. */
  private void stopEmbedded(Promise<Void> stopped) {
    Thread stopper = new Thread(() -> {
      embedded.close();
      LIFECYCLE.info("stopped");
      stopped.complete();
    }, "xredline-embedded-stop");
    stopper.start();
  }

  private Future<Void> undeployAll(List<String> ids) {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : ids) {
      all.add(vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return Future.join(all).mapEmpty();
  }
}
