package io.xredline.data;

import io.xredline.kms.KeyTable;
import io.xredline.kms.RootKey;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The database side of {@code kms rotate} and {@code kms status}, over JDBC like the migrations. */
public final class KeyRotationStatus {
  private KeyRotationStatus() {
  }

  /** Verifies the root key, adds a data key and makes it active. @return its version */
  public static int rotate(String databaseUrl, RootKey root) throws SQLException {
    try (Connection c = connect(databaseUrl)) {
      return KeyTable.addDataKey(c, root);
    }
  }

  /** One line per data key: version, state, creation time and the accounts whose oldest column is under it. */
  public static List<String> describe(String databaseUrl, RootKey root) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection c = connect(databaseUrl)) {
      KeyTable.verifyOrRecord(c, root);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT k.version, k.state, k.created_at,"
          + " (SELECT count(*) FROM users u WHERE u.pii_key_version = k.version) FROM kms_keys k ORDER BY k.version")) {
        while (rs.next()) {
          lines.add(String.format(java.util.Locale.ROOT, "v%d  %-12s  created %s  accounts %d", rs.getInt(1),
              rs.getString(2), rs.getObject(3, java.time.OffsetDateTime.class), rs.getLong(4)));
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM users"
          + " WHERE pii_key_version < (SELECT version FROM kms_keys WHERE state = 'active')")) {
        rs.next();
        lines.add("accounts still to re-encrypt: " + rs.getLong(1));
      }
    }
    return lines;
  }

  private static Connection connect(String databaseUrl) throws SQLException {
    PgUrls.Jdbc jdbc = PgUrls.jdbc(databaseUrl);
    return DriverManager.getConnection(jdbc.url(), jdbc.properties());
  }
}
