package io.xredline.auth.store;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Accounts in PostgreSQL. Uniqueness lives in the database (case-insensitive unique indexes), so
 * of N parallel identical registrations exactly one insert succeeds and the rest get the reason.
 */
public final class UserStore {
  private static final Logger LOG = LoggerFactory.getLogger(UserStore.class);
  private static final String COLUMNS =
      "id, username, password_hash, email, phone, totp_secret, totp_enabled, roles, created_at, email_verified,"
          + " phone_verified, disabled";

  public record User(long id, String username, String passwordHash, String email, String phone, String totpSecret,
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

  private final Pool pool;

  public UserStore(Pool pool) {
    this.pool = pool;
  }

  /** Which of username, email and phone are taken, checked in that order (the contract's order). */
  public Future<Optional<Reason>> taken(String username, String email, String phone) {
    return query("SELECT bool_or(lower(username) = lower($1)), bool_or(lower(email) = lower($2)), bool_or(phone = $3)"
        + " FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2) OR phone = $3",
        Tuple.of(username, email, phone))
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

  public Future<Long> insert(String username, String passwordHash, String email, String phone, List<String> roles) {
    return pool.preparedQuery("INSERT INTO users (username, password_hash, email, phone, roles) VALUES ($1, $2, $3, $4, $5)"
            + " RETURNING id")
        .execute(Tuple.of(username, passwordHash, email, phone, roles.toArray(new String[0])))
        .map(rows -> rows.iterator().next().getLong(0))
        .recover(UserStore::duplicateOrUnavailable);
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
    String where = switch (field) {
      case USERNAME -> "lower(username) = lower($1)";
      case EMAIL -> "lower(email) = lower($1)";
      case PHONE -> "phone = $1";
    };
    return query("SELECT " + COLUMNS + " FROM users WHERE " + where, Tuple.of(value)).map(UserStore::first);
  }

  public Future<Optional<User>> findById(long id) {
    return query("SELECT " + COLUMNS + " FROM users WHERE id = $1", Tuple.of(id)).map(UserStore::first);
  }

  public Future<Void> updatePasswordHash(long id, String hash) {
    return update("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", Tuple.of(id, hash));
  }

  /** A new, not yet enabled secret; refused (false) while TOTP is enabled. */
  public Future<Boolean> stageTotpSecret(long id, String sealedSecret) {
    return pool.preparedQuery("UPDATE users SET totp_secret = $2, updated_at = now() WHERE id = $1 AND NOT totp_enabled")
        .execute(Tuple.of(id, sealedSecret))
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
                "UPDATE users SET totp_enabled = false, totp_secret = NULL, updated_at = now() WHERE id = $1")
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
      case EMAIL -> "UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND lower(email) = lower($2)";
      case PHONE -> "UPDATE users SET phone_verified = true, updated_at = now() WHERE id = $1 AND phone = $2";
      case USERNAME -> throw new IllegalArgumentException("a username is not an address");
    };
    return pool.preparedQuery(sql).execute(Tuple.of(id, address)).map(rows -> rows.rowCount() == 1)
        .recover(UserStore::unavailable);
  }

  private Future<RowSet<Row>> query(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).recover(UserStore::unavailable);
  }

  private Future<Void> update(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).<Void>mapEmpty().recover(UserStore::unavailable);
  }

  private static Optional<User> first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row r = rows.iterator().next();
    String[] roles = r.getArrayOfStrings("roles");
    return Optional.of(new User(r.getLong("id"), r.getString("username"), r.getString("password_hash"),
        r.getString("email"), r.getString("phone"), r.getString("totp_secret"), r.getBoolean("totp_enabled"),
        roles == null ? List.of() : List.of(roles), r.getOffsetDateTime("created_at"), r.getBoolean("email_verified"),
        r.getBoolean("phone_verified"), r.getBoolean("disabled")));
  }

  private static <T> Future<T> unavailable(Throwable e) {
    if (e instanceof AppError) {
      return Future.failedFuture(e);
    }
    LOG.warn("users query failed: {}", e.getMessage());
    return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE, "database unavailable, try again shortly"));
  }
}
