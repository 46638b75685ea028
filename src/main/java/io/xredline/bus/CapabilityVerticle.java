package io.xredline.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.Database;

import java.util.ArrayList;
import java.util.List;

/**
 * A capability behind the bus (auth, greeter, audit, health): its configuration, the backends the process
 * started against, its addresses (each also pinned to this instance's event loop, {@link LoopAffinity}),
 * and a PostgreSQL pool, opened on first use. {@link #release} withdraws the pinned
 * addresses and closes the pool when the capability stops.
 */
public abstract class CapabilityVerticle extends VerticleBase {
  protected final AppConfig config;
  protected final Backends backends;
  private final List<LoopAffinity.Served> pins = new ArrayList<>();
  private Pool pool;

  protected CapabilityVerticle(AppConfig config, Backends backends) {
    this.config = config;
    this.backends = backends;
  }

  /** This instance's pool (opened on the first call, on the verticle's context): the process's shared one. */
  protected final Pool pool() {
    if (pool == null) {
      pool = openPool();
    }
    return pool;
  }

  /** Opens {@link #pool()}; a capability that must write while the others stop opens one of its own. */
  protected Pool openPool() {
    return Database.pool(vertx, config.data().database(), backends.databaseUrl());
  }

  /** Serves {@code address} in this process only, and on its pinned form for same-loop senders. */
  protected final <T> Future<Void> serveLocal(String address, Handler<Message<T>> handler) {
    return served(vertx.eventBus().localConsumer(address, handler), handler);
  }

  /**
   * Serves {@code address} for the whole cluster. Pinned for same-loop senders only while this
   * process is alone: on a clustered bus the requests are spread over the members' instances,
   * which a pinned address would bypass.
   */
  protected final <T> Future<Void> serveClustered(String address, Handler<Message<T>> handler) {
    MessageConsumer<T> plain = vertx.eventBus().consumer(address, handler);
    return vertx.isClustered() ? plain.completion() : served(plain, handler);
  }

  private <T> Future<Void> served(MessageConsumer<T> plain, Handler<Message<T>> handler) {
    LoopAffinity.Served pin = LoopAffinity.pin(vertx, plain.address(), handler);
    pins.add(pin);
    return Future.all(plain.completion(), pin.completion()).mapEmpty();
  }

  /** Same-loop senders stop choosing this instance; then the pool closes, when one was opened. */
  protected final Future<Void> release() {
    pins.forEach(LoopAffinity.Served::withdraw);
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
