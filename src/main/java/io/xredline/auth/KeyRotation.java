package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.xredline.auth.store.UserStore;
import io.xredline.config.AppConfig;
import io.xredline.kms.DataKeys;
import io.xredline.kms.KeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's half of {@code kms rotate}: every {@code security.kms.refresh_interval} it picks up
 * a data key the command added (new values are sealed under it from then on) and re-encrypts the
 * accounts still under an older key, batch after batch until none is left, while requests are served.
 * Old keys stay loaded, so a row not yet re-encrypted still opens. Several instances may run this at
 * once: each row update is conditional on what was read.
 */
final class KeyRotation {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);

  private final Vertx vertx;
  private final DataKeys keys;
  private final UserStore users;
  private final AppConfig.Kms config;
  private volatile boolean stopped;
  private long timer = -1;

  KeyRotation(Vertx vertx, DataKeys keys, UserStore users, AppConfig.Kms config) {
    this.vertx = vertx;
    this.keys = keys;
    this.users = users;
    this.config = config;
  }

  /** The first round runs at once: a rotation done while this instance was down is picked up at start. */
  void start() {
    timer = vertx.setTimer(1, id -> round().onComplete(done -> schedule()));
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(config.refreshInterval().toMillis(), id -> round().onComplete(done -> schedule()));
    }
  }

  /** One refresh and as many full batches as there are; a failure is logged and retried next round. */
  Future<Integer> round() {
    int before = keys.ring() == null ? 0 : keys.ring().activeVersion();
    return keys.refresh()
        .onSuccess(ring -> {
          if (ring.activeVersion() != before) {
            LOG.info("kms: sealing new values under data key v{} (loaded {})", ring.activeVersion(), ring.versions());
          }
        })
        .compose(ring -> batches(ring, 0))
        .onSuccess(total -> {
          if (total > 0) {
            LOG.info("kms: re-encrypted {} account(s) under data key v{}", total, keys.ring().activeVersion());
          }
        })
        .onFailure(e -> LOG.warn("kms: key refresh or re-encryption failed, retrying in {}: {}",
            config.refreshInterval(), e.getMessage()));
  }

  private Future<Integer> batches(KeyRing ring, int done) {
    if (stopped) {
      return Future.succeededFuture(done);
    }
    return users.reencrypt(ring, config.reencryptBatchSize()).compose(n -> n == 0
        ? Future.succeededFuture(done)
        : batches(ring, done + n));
  }
}
