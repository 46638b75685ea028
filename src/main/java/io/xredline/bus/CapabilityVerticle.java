package io.xredline.bus;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.Database;

/**
 * A capability behind the bus (auth, greeter, audit, health): its configuration, the backends the process
 * started against, and a PostgreSQL pool of its own, opened on first use and closed by
 * {@link #closePool} when the capability stops.
 */
public abstract class CapabilityVerticle extends VerticleBase {
  protected final AppConfig config;
  protected final Backends backends;
  private Pool pool;

  protected CapabilityVerticle(AppConfig config, Backends backends) {
    this.config = config;
    this.backends = backends;
  }

  /** This instance's pool (opened on the first call, on the verticle's context). */
  protected final Pool pool() {
    if (pool == null) {
      pool = Database.pool(vertx, config.data().database(), backends.databaseUrl());
    }
    return pool;
  }

  /** Closes the pool when one was opened. */
  protected final Future<Void> closePool() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
