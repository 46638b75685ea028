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
      "id, username, password_hash, email, phone, totp_secret, totp_enabled, roles, created_at";

  public record User(long id, String username, String passwordHash, String email, String phone, String totpSecret,
                     boolean totpEnabled, List<String> roles, OffsetDateTime createdAt) {
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

  public Future<Void> setTotpEnabled(long id, boolean enabled) {
    return update(enabled
        ? "UPDATE users SET totp_enabled = true, updated_at = now() WHERE id = $1"
        : "UPDATE users SET totp_enabled = false, totp_secret = NULL, updated_at = now() WHERE id = $1", Tuple.of(id));
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
        roles == null ? List.of() : List.of(roles), r.getOffsetDateTime("created_at")));
  }

  private static <T> Future<T> unavailable(Throwable e) {
    if (e instanceof AppError) {
      return Future.failedFuture(e);
    }
    LOG.warn("users query failed: {}", e.getMessage());
    return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE, "database unavailable, try again shortly"));
  }
}
