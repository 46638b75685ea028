package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.xredline.config.AppConfig;

/** The PostgreSQL pool every verticle shares (one per process, named, sized from config). */
public final class Database {
  public static final String POOL_NAME = "xredline-pg";

  private Database() {
  }

  public static Pool pool(Vertx vertx, AppConfig.Database config, String url) {
    PgConnectOptions connect = PgUrls.connectOptions(url);
    connect.setReconnectAttempts(0);
    connect.setCachePreparedStatements(true);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(config.poolSize())
        .setMaxWaitQueueSize(config.maxWaitQueue())
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()))
        .setShared(true)
        .setName(POOL_NAME);
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout((int) config.connectTimeout().toMillis())
        .setTcpKeepAlive(true);
    return PgBuilder.pool().with(pool).with(net).connectingTo(connect).using(vertx).build();
  }
}
