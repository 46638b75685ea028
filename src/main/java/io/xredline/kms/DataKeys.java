package io.xredline.kms;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.HashMap;
import java.util.Map;

/**
 * The running service's view of {@code kms_keys}: loaded once at start (the key check first, so a
 * wrong root key stops the start with its own message), then {@link #refresh} picks up a key that
 * {@code kms rotate} added while the service runs. Unwrapping runs on a worker thread.
 */
public final class DataKeys {
  private final Vertx vertx;
  private final Pool pool;
  private final RootKey root;
  private volatile KeyRing ring;

  private DataKeys(Vertx vertx, Pool pool, RootKey root) {
    this.vertx = vertx;
    this.pool = pool;
    this.root = root;
  }

  public static Future<DataKeys> load(Vertx vertx, Pool pool, RootKey root) {
    DataKeys keys = new DataKeys(vertx, pool, root);
    return pool.query("SELECT key_check FROM kms_root").execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new IllegalStateException("kms_root is empty: the database was not migrated"));
      }
      if (!root.matches(rows.iterator().next().getString(0))) {
        return Future.failedFuture(new WrongRootKeyException());
      }
      return keys.refresh();
    }).map(ring -> keys);
  }

  public KeyRing ring() {
    return ring;
  }

  /** Re-reads kms_keys; unwraps only when a version was added or the active one changed. */
  public Future<KeyRing> refresh() {
    return pool.query("SELECT version, wrapped_key, state FROM kms_keys").execute().compose(this::adopt);
  }

  private Future<KeyRing> adopt(RowSet<Row> rows) {
    Map<Integer, String> wrapped = new HashMap<>();
    int active = 0;
    for (Row row : rows) {
      wrapped.put(row.getInteger(0), row.getString(1));
      if (KeyTable.ACTIVE.equals(row.getString(2))) {
        active = row.getInteger(0);
      }
    }
    KeyRing current = ring;
    if (current != null && current.activeVersion() == active && current.versions().equals(wrapped.keySet())) {
      return Future.succeededFuture(current);
    }
    int newActive = active;
    return vertx.executeBlocking(() -> KeyTable.unwrap(root, wrapped, newActive), false).map(next -> {
      ring = next;
      return next;
    });
  }
}
