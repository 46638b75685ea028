package io.xredline.kms;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code kms_root} and {@code kms_keys} over JDBC, for the migration that introduces them and for
 * {@code kms rotate}; the running service reads them through {@link DataKeys}. Data keys are only
 * ever added: an older version stays (decrypt_only) so values sealed under it keep opening.
 */
public final class KeyTable {
  public static final String ACTIVE = "active";
  public static final String DECRYPT_ONLY = "decrypt_only";

  private KeyTable() {
  }

  /** Records the root key's check value on first use; afterwards refuses any other root key. */
  public static void verifyOrRecord(Connection c, RootKey root) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key_check FROM kms_root")) {
      if (rs.next()) {
        if (!root.matches(rs.getString(1))) {
          throw new WrongRootKeyException();
        }
        return;
      }
    }
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO kms_root (key_check) VALUES (?)")) {
      insert.setString(1, root.keyCheck());
      insert.executeUpdate();
    }
  }

  /**
   * A new random data key, wrapped by the root key, becomes the active one; the previous active
   * key turns decrypt_only. The table lock makes concurrent rotations queue, not collide.
   * @return the new version
   */
  public static int addDataKey(Connection c, RootKey root) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      verifyOrRecord(c, root);
      int version;
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE kms_keys IN EXCLUSIVE MODE");
        try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) + 1 FROM kms_keys")) {
          rs.next();
          version = rs.getInt(1);
        }
        s.executeUpdate("UPDATE kms_keys SET state = '" + DECRYPT_ONLY + "' WHERE state = '" + ACTIVE + "'");
      }
      byte[] key = Envelope.randomKey();
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO kms_keys (version, wrapped_key, state) VALUES (?, ?, '" + ACTIVE + "')")) {
        insert.setInt(1, version);
        insert.setString(2, root.wrap(version, key));
        insert.executeUpdate();
      }
      java.util.Arrays.fill(key, (byte) 0);
      if (!autoCommit) {
        return version;
      }
      c.commit();
      return version;
    } catch (SQLException | RuntimeException e) {
      if (autoCommit) {
        c.rollback();
      }
      throw e;
    } finally {
      if (autoCommit) {
        c.setAutoCommit(true);
      }
    }
  }

  /** Every data key, unwrapped; blocking (JDBC and key unwrapping), so never on an event loop. */
  public static KeyRing load(Connection c, RootKey root) throws SQLException {
    verifyOrRecord(c, root);
    Map<Integer, String> wrapped = new HashMap<>();
    int active = 0;
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version, wrapped_key, state FROM kms_keys")) {
      while (rs.next()) {
        wrapped.put(rs.getInt(1), rs.getString(2));
        if (ACTIVE.equals(rs.getString(3))) {
          active = rs.getInt(1);
        }
      }
    }
    return unwrap(root, wrapped, active);
  }

  static KeyRing unwrap(RootKey root, Map<Integer, String> wrapped, int active) {
    if (active == 0) {
      throw new IllegalStateException("kms_keys has no active data key; run the migrations (or kms rotate)");
    }
    Map<Integer, byte[]> keys = new HashMap<>();
    wrapped.forEach((version, w) -> {
      try {
        keys.put(version, root.unwrap(version, w));
      } catch (IllegalArgumentException e) {
        // no cause: start-up reports the innermost message, and this one says what happened
        throw new IllegalStateException("data key v" + version + " in kms_keys does not unwrap with the root key"
            + " although the key check matched: the row was altered");
      }
    });
    return new KeyRing(keys, active, root);
  }
}
