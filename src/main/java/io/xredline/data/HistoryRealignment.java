package io.xredline.data;

import io.xredline.observability.LogSetup;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Brings the Flyway history of a database migrated by an earlier release in line with migrations
 * that were renamed or re-commented since, before Flyway validates it: the audit trail's V20 became
 * V4 (versions are consecutive now) and two comments changed, so their checksums did. A row is
 * rewritten only when version, script and checksum are exactly what that release wrote, so any
 * other difference still fails validation as it should. Idempotent; a fresh database has nothing to do.
 */
final class HistoryRealignment implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(LogSetup.LIFECYCLE_LOGGER);
  private static final String TABLE = "flyway_schema_history";

  /** A history row as an earlier release wrote it, and as the migrations on the classpath describe it. */
  record Rewrite(String oldVersion, String oldScript, int oldChecksum, String version, String script, int checksum) {
  }

  static final List<Rewrite> REWRITES = List.of(
      new Rewrite("3", "V3__accounts_roles_totp.sql", 487871638, "3", "V3__accounts_roles_totp.sql", -2041095259),
      new Rewrite("20", "V20__operation_logs.sql", 502766568, "4", "V4__operation_logs.sql", -712215323));

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_VALIDATE || event == Event.BEFORE_MIGRATE;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    try {
      realign(context.getConnection());
    } catch (SQLException e) {
      throw new IllegalStateException("could not realign " + TABLE + ": " + e.getMessage(), e);
    }
  }

  static void realign(Connection connection) throws SQLException {
    if (!historyExists(connection)) {
      return;
    }
    for (Rewrite r : REWRITES) {
      try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE
          + " SET version = ?, script = ?, checksum = ? WHERE version = ? AND script = ? AND checksum = ? AND success"
          + " AND (version = ? OR NOT EXISTS (SELECT 1 FROM " + TABLE + " WHERE version = ?))")) {
        update.setString(1, r.version());
        update.setString(2, r.script());
        update.setInt(3, r.checksum());
        update.setString(4, r.oldVersion());
        update.setString(5, r.oldScript());
        update.setInt(6, r.oldChecksum());
        update.setString(7, r.version());
        update.setString(8, r.version());
        if (update.executeUpdate() > 0) {
          LOG.info("migrations: history row {} (checksum {}) realigned to {} (checksum {})", r.oldScript(),
              r.oldChecksum(), r.script(), r.checksum());
        }
      }
    }
  }

  private static boolean historyExists(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      query.setString(1, TABLE);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  @Override
  public String getCallbackName() {
    return "xredline-history-realignment";
  }
}
