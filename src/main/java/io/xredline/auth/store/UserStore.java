package io.xredline.auth.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.kms.DataKeys;
import io.xredline.kms.KeyRing;
import io.xredline.kms.SealedColumns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accounts in PostgreSQL. Uniqueness lives in the database (unique indexes on the lower-cased
 * username and on the email/phone HMACs), so of N parallel identical registrations exactly one
 * insert succeeds and the rest get the reason. Email, phone and the TOTP secret are stored only
 * sealed ({@link KeyRing}, bound to their row and column) and found through their HMAC; this class
 * is the one place that seals and opens them.
 */
public final class UserStore {
  private static final Logger LOG = LoggerFactory.getLogger(UserStore.class);
  private static final String COLUMNS =
      "id, username, password_hash, email_ciphertext, phone_ciphertext, totp_secret_ciphertext, totp_enabled, roles,"
          + " created_at, email_verified, phone_verified, disabled";

  /** {@code email}, {@code phone} and {@code totpSecret} are the opened (clear) values, null when absent. */
  public record User(long id, String username, String passwordHash, String email, String phone, byte[] totpSecret,
                     boolean totpEnabled, List<String> roles, OffsetDateTime createdAt, boolean emailVerified,
                     boolean phoneVerified, boolean disabled) {
    public boolean isAdmin() {
      return roles.contains("admin");
    }

    @Override
    public String toString() {
      return "User[" + id + "]";
    }
  }

  public enum LoginField { USERNAME, EMAIL, PHONE }

  private final Vertx vertx;
  private final Pool pool;
  private final DataKeys keys;

  public UserStore(Vertx vertx, Pool pool, DataKeys keys) {
    this.vertx = vertx;
    this.pool = pool;
    this.keys = keys;
  }

  /** Which of username, email and phone are taken, checked in that order (the contract's order). */
  public Future<Optional<Reason>> taken(String username, String email, String phone) {
    KeyRing ring = keys.ring();
    return query("SELECT bool_or(lower(username) = lower($1)), bool_or(email_hmac = $2), bool_or(phone_hmac = $3)"
        + " FROM users WHERE lower(username) = lower($1) OR email_hmac = $2 OR phone_hmac = $3",
        Tuple.of(username, buffer(SealedColumns.emailLookup(ring, email)), buffer(SealedColumns.phoneLookup(ring, phone))))
        .map(rows -> {
          Row row = rows.iterator().next();
          if (Boolean.TRUE.equals(row.getBoolean(0))) {
            return Optional.of(Reason.USER_EXISTS);
          }
          if (Boolean.TRUE.equals(row.getBoolean(1))) {
            return Optional.of(Reason.EMAIL_EXISTS);
          }
          return Boolean.TRUE.equals(row.getBoolean(2)) ? Optional.of(Reason.PHONE_EXISTS) : Optional.empty();
        });
  }

  /** The id is drawn first: each ciphertext is bound to its row, so it must be known before sealing. */
  public Future<Long> insert(String username, String passwordHash, String email, String phone, List<String> roles) {
    return query("SELECT nextval(pg_get_serial_sequence('users', 'id'))", Tuple.tuple()).compose(next -> {
      long id = next.iterator().next().getLong(0);
      KeyRing ring = keys.ring();
      Tuple row = Tuple.tuple().addLong(id).addString(username).addString(passwordHash)
          .addString(ring.seal(email, SealedColumns.associatedData(SealedColumns.EMAIL, id)))
          .addValue(buffer(SealedColumns.emailLookup(ring, email)))
          .addString(ring.seal(phone, SealedColumns.associatedData(SealedColumns.PHONE, id)))
          .addValue(buffer(SealedColumns.phoneLookup(ring, phone)))
          .addInteger(ring.activeVersion())
          .addArrayOfString(roles.toArray(new String[0]));
      return pool.preparedQuery("INSERT INTO users (id, username, password_hash, email_ciphertext, email_hmac,"
              + " phone_ciphertext, phone_hmac, pii_key_version, roles) OVERRIDING SYSTEM VALUE"
              + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
          .execute(row)
          .map(id)
          .recover(UserStore::duplicateOrUnavailable);
    });
  }

  private static Future<Long> duplicateOrUnavailable(Throwable e) {
    if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      String constraint = pg.getConstraint() == null ? "" : pg.getConstraint();
      if (constraint.contains("email")) {
        return Future.failedFuture(new AppError(Reason.EMAIL_EXISTS, "email is already registered"));
      }
      if (constraint.contains("phone")) {
        return Future.failedFuture(new AppError(Reason.PHONE_EXISTS, "phone is already registered"));
      }
      return Future.failedFuture(new AppError(Reason.USER_EXISTS, "username is taken"));
    }
    return unavailable(e);
  }

  public Future<Optional<User>> find(LoginField field, String value) {
    KeyRing ring = keys.ring();
    return switch (field) {
      case USERNAME -> select("lower(username) = lower($1)", Tuple.of(value));
      case EMAIL -> select("email_hmac = $1", Tuple.of(buffer(SealedColumns.emailLookup(ring, value))));
      case PHONE -> select("phone_hmac = $1", Tuple.of(buffer(SealedColumns.phoneLookup(ring, value))));
    };
  }

  public Future<Optional<User>> findById(long id) {
    return select("id = $1", Tuple.of(id));
  }

  private Future<Optional<User>> select(String where, Tuple args) {
    return query("SELECT " + COLUMNS + " FROM users WHERE " + where, args).compose(rows -> {
      try {
        return Future.succeededFuture(first(rows, keys.ring()));
      } catch (KeyRing.UnknownVersion e) {
        // another instance already seals under a key this one has not loaded yet: load it, open again
        return keys.refresh().map(ring -> first(rows, ring));
      }
    });
  }

  public Future<Void> updatePasswordHash(long id, String hash) {
    return update("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", Tuple.of(id, hash));
  }

  /** A new, not yet enabled secret; refused (false) while TOTP is enabled. */
  public Future<Boolean> stageTotpSecret(long id, byte[] secret) {
    String sealed = keys.ring().seal(secret, SealedColumns.associatedData(SealedColumns.TOTP_SECRET, id));
    return pool.preparedQuery("UPDATE users SET totp_secret_ciphertext = $2, updated_at = now()"
            + " WHERE id = $1 AND NOT totp_enabled")
        .execute(Tuple.of(id, sealed))
        .map(rows -> rows.rowCount() == 1)
        .recover(UserStore::unavailable);
  }

  /** Turns TOTP on with a fresh set of recovery codes (their digests), in one transaction. */
  public Future<Void> enableTotp(long id, List<String> recoveryCodeHashes) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM totp_recovery_codes WHERE user_id = $1")
            .execute(Tuple.of(id))
            .compose(v -> conn.preparedQuery("INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .executeBatch(recoveryCodeHashes.stream().map(h -> Tuple.of(id, h)).toList()))
            .compose(v -> conn.preparedQuery("UPDATE users SET totp_enabled = true, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id))))
        .<Void>mapEmpty().recover(UserStore::unavailable);
  }

  /** Turns TOTP off: the secret and every recovery code are gone. */
  public Future<Void> disableTotp(long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM totp_recovery_codes WHERE user_id = $1")
            .execute(Tuple.of(id))
            .compose(v -> conn.preparedQuery(
                "UPDATE users SET totp_enabled = false, totp_secret_ciphertext = NULL, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id))))
        .<Void>mapEmpty().recover(UserStore::unavailable);
  }

  /** Spends one recovery code: true exactly once per code, even for parallel attempts. */
  public Future<Boolean> spendRecoveryCode(long id, String codeHash) {
    return pool.preparedQuery("UPDATE totp_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2"
            + " AND used_at IS NULL")
        .execute(Tuple.of(id, codeHash))
        .map(rows -> rows.rowCount() == 1)
        .recover(UserStore::unavailable);
  }

  public Future<Void> setDisabled(long id, boolean disabled) {
    return update("UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1", Tuple.of(id, disabled));
  }

  /**
   * Marks an address proven, but only while it is still the address the code was sent to: a change
   * of address between sending and verifying leaves the new one unproven.
   */
  public Future<Boolean> markVerified(long id, LoginField field, String address) {
    String sql = switch (field) {
      case EMAIL -> "UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND email_hmac = $2";
      case PHONE -> "UPDATE users SET phone_verified = true, updated_at = now() WHERE id = $1 AND phone_hmac = $2";
      case USERNAME -> throw new IllegalArgumentException("a username is not an address");
    };
    // the keyed lookup of the address, as registration stored it
    KeyRing ring = keys.ring();
    byte[] lookup = field == LoginField.EMAIL
        ? SealedColumns.emailLookup(ring, address)
        : SealedColumns.phoneLookup(ring, address);
    return pool.preparedQuery(sql).execute(Tuple.of(id, buffer(lookup))).map(rows -> rows.rowCount() == 1)
        .recover(UserStore::unavailable);
  }

  /**
   * One batch of the background re-encryption after a rotation: up to {@code limit} accounts with
   * a column still under a key older than the ring's active one are opened and sealed again under
   * it (on a worker thread). Each row is written only if it did not change since it was read, so a
   * concurrent TOTP setup is never overwritten; a skipped row is simply picked up by a later batch.
   * @return how many accounts were re-encrypted
   */
  public Future<Integer> reencrypt(KeyRing ring, int limit) {
    return query("SELECT id, email_ciphertext, phone_ciphertext, totp_secret_ciphertext FROM users"
        + " WHERE pii_key_version < $1 ORDER BY id LIMIT $2", Tuple.of(ring.activeVersion(), limit))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(List.<Tuple>of())
            : vertx.executeBlocking(() -> resealed(rows, ring), false))
        .compose(updates -> updates.isEmpty() ? Future.succeededFuture(0)
            : pool.preparedQuery("UPDATE users SET email_ciphertext = $2, phone_ciphertext = $3,"
                + " totp_secret_ciphertext = $4, pii_key_version = $5 WHERE id = $1"
                + " AND email_ciphertext IS NOT DISTINCT FROM $6 AND phone_ciphertext IS NOT DISTINCT FROM $7"
                + " AND totp_secret_ciphertext IS NOT DISTINCT FROM $8")
            .executeBatch(updates)
            .map(UserStore::updatedRows)
            .recover(UserStore::unavailable));
  }

  private static List<Tuple> resealed(RowSet<Row> rows, KeyRing ring) {
    List<Tuple> updates = new ArrayList<>();
    for (Row r : rows) {
      long id = r.getLong(0);
      updates.add(Tuple.tuple().addLong(id)
          .addString(reseal(ring, r.getString(1), SealedColumns.EMAIL, id))
          .addString(reseal(ring, r.getString(2), SealedColumns.PHONE, id))
          .addString(reseal(ring, r.getString(3), SealedColumns.TOTP_SECRET, id))
          .addInteger(ring.activeVersion())
          .addString(r.getString(1)).addString(r.getString(2)).addString(r.getString(3)));
    }
    return updates;
  }

  private static String reseal(KeyRing ring, String sealed, String column, long id) {
    if (sealed == null || KeyRing.version(sealed) == ring.activeVersion()) {
      return sealed;
    }
    String aad = SealedColumns.associatedData(column, id);
    return ring.seal(ring.open(sealed, aad), aad);
  }

  private static int updatedRows(RowSet<Row> rows) {
    int updated = 0;
    for (RowSet<Row> r = rows; r != null; r = r.next()) {
      updated += r.rowCount();
    }
    return updated;
  }

  private static Buffer buffer(byte[] bytes) {
    return bytes == null ? null : Buffer.buffer(bytes);
  }

  private Future<RowSet<Row>> query(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).recover(UserStore::unavailable);
  }

  private Future<Void> update(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).<Void>mapEmpty().recover(UserStore::unavailable);
  }

  private static Optional<User> first(RowSet<Row> rows, KeyRing ring) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row r = rows.iterator().next();
    long id = r.getLong("id");
    String[] roles = r.getArrayOfStrings("roles");
    String totp = r.getString("totp_secret_ciphertext");
    return Optional.of(new User(id, r.getString("username"), r.getString("password_hash"),
        ring.openString(r.getString("email_ciphertext"), SealedColumns.associatedData(SealedColumns.EMAIL, id)),
        ring.openString(r.getString("phone_ciphertext"), SealedColumns.associatedData(SealedColumns.PHONE, id)),
        totp == null ? null : ring.open(totp, SealedColumns.associatedData(SealedColumns.TOTP_SECRET, id)),
        r.getBoolean("totp_enabled"), roles == null ? List.of() : List.of(roles), r.getOffsetDateTime("created_at"),
        r.getBoolean("email_verified"), r.getBoolean("phone_verified"), r.getBoolean("disabled")));
  }

  private static <T> Future<T> unavailable(Throwable e) {
    if (e instanceof AppError) {
      return Future.failedFuture(e);
    }
    LOG.warn("users query failed: {}", e.getMessage());
    return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE, "database unavailable, try again shortly"));
  }
}
