package io.xredline.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.xredline.bus.CapabilityVerticle;
import io.xredline.bus.ProcessRole;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.Database;
import io.xredline.observability.QueryMetrics;
import io.xredline.observability.Telemetry;

/**
 * The audit capability's wiring: auth events are captured off the bus ({@link AuditCapture}),
 * written in batches ({@link AuditWriter}) to {@code operation_logs} ({@link AuditTrail}), and
 * pages of the trail answered on {@link AuditApi#QUERY} ({@link AuditQueries}).
 */
public final class AuditVerticle extends CapabilityVerticle {
  static final long STOP_DRAIN_MS = 5_000;
  /** One batch in flight and an admin's page at a time. */
  static final int POOL_SIZE = 2;

  private AuditWriter writer;
  private AuditCapture capture;
  private ProcessRole capturing;

  public AuditVerticle(AppConfig config, Backends backends) {
    super(config, backends);
  }

  @Override
  public Future<?> start() {
    Pool pool = pool();
    AuditTrail trail = new AuditTrail(pool, QueryMetrics.of(vertx, config.data().database()));
    // the interceptor sees every event of the process: with several instances one captures and
    // writes, every instance answers queries
    capturing = ProcessRole.claim(vertx, "audit-capture");
    if (capturing.held()) {
      writer = new AuditWriter(vertx, trail, Telemetry.registry(vertx));
      capture = new AuditCapture(vertx.eventBus(), writer::offer);
      capture.start();
      writer.start();
    }
    return this.<JsonObject>serveClustered(AuditApi.QUERY, new AuditQueries(trail)::answer);
  }

  /**
   * Its own pool ({@code xredline-pg-audit}): the drain at stop writes while the other capabilities
   * undeploy, and the shared pool's connections close with whichever of them opened it.
   */
  @Override
  protected Pool openPool() {
    return Database.ownPool(vertx, config.data().database(), backends.databaseUrl(), "xredline-pg-audit", POOL_SIZE);
  }

  /** Stops capturing, writes what is still queued (bounded by {@link #STOP_DRAIN_MS}), then closes the pool. */
  @Override
  public Future<?> stop() {
    if (writer == null) {
      return release();
    }
    capture.stop();
    capturing.release();
    return writer.stop(STOP_DRAIN_MS).eventually(this::release);
  }
}
