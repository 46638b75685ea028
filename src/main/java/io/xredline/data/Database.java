package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.xredline.config.AppConfig;

/** The PostgreSQL pool the capabilities share (one per process, named, sized from config), and the audit trail's own. */
public final class Database {
  public static final String POOL_NAME = "xredline-pg";

  private Database() {
  }

  public static Pool pool(Vertx vertx, AppConfig.Database config, String url) {
    return build(vertx, config, url, new PoolOptions().setMaxSize(config.poolSize()).setShared(true).setName(POOL_NAME));
  }

  /**
   * A pool of {@code maxSize} connections that only its creator uses and closes. The shared pool's
   * connections go through the network client of the verticle that opened it first, which Vert.x
   * closes when that verticle is undeployed: a capability that still writes while the others stop
   * (the audit trail's drain) needs its own.
   */
  public static Pool ownPool(Vertx vertx, AppConfig.Database config, String url, String name, int maxSize) {
    return build(vertx, config, url, new PoolOptions().setMaxSize(Math.min(maxSize, config.poolSize())).setName(name));
  }

  private static Pool build(Vertx vertx, AppConfig.Database config, String url, PoolOptions pool) {
    PgConnectOptions connect = PgUrls.connectOptions(url);
    connect.setReconnectAttempts(0);
    connect.setCachePreparedStatements(true);
    pool.setMaxWaitQueueSize(config.maxWaitQueue())
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout((int) config.connectTimeout().toMillis())
        .setTcpKeepAlive(true);
    return PgBuilder.pool().with(pool).with(net).connectingTo(connect).using(vertx).build();
  }
}
