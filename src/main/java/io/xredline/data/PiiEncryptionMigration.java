package io.xredline.data;

import io.xredline.kms.KeyRing;
import io.xredline.kms.KeyTable;
import io.xredline.kms.RootKey;
import io.xredline.kms.SealedColumns;
import io.xredline.observability.LogSetup;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * V6: email, phone and the TOTP secret encrypted at rest. A Java migration because SQL cannot
 * encrypt: in one transaction it creates the key tables (root key check, first data key), seals every
 * existing row's clear email and phone (with their HMAC lookups) and re-seals TOTP secrets from the
 * former fixed key ({@code auth.totp.encryption_key}) under the data key, then drops the clear columns.
 * All or nothing: a failure (say, a TOTP secret the old key cannot open) leaves the database as it was
 * and the service refuses to start with the reason.
 */
final class PiiEncryptionMigration implements JavaMigration {
  private static final Logger LOG = LoggerFactory.getLogger(LogSetup.LIFECYCLE_LOGGER);
  static final String VERSION = "6";
  private static final int BATCH = 1000;

  private final RootKey root;
  private final byte[] legacyTotpKey;

  PiiEncryptionMigration(RootKey root, byte[] legacyTotpKey) {
    this.root = root;
    this.legacyTotpKey = legacyTotpKey;
  }

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion(VERSION);
  }

  @Override
  public String getDescription() {
    return "pii encrypted at rest";
  }

  @Override
  public Integer getChecksum() {
    // a Java migration has no file to hash; a changed conversion gets a new number, never a new checksum
    return 60_001;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("""
          CREATE TABLE kms_root (
              id         BOOLEAN     PRIMARY KEY DEFAULT true CHECK (id),
              key_check  TEXT        NOT NULL,
              created_at TIMESTAMPTZ NOT NULL DEFAULT now())""");
      s.execute("""
          CREATE TABLE kms_keys (
              version     INTEGER     PRIMARY KEY CHECK (version > 0),
              wrapped_key TEXT        NOT NULL,
              state       TEXT        NOT NULL CHECK (state IN ('active', 'decrypt_only')),
              created_at  TIMESTAMPTZ NOT NULL DEFAULT now())""");
      s.execute("CREATE UNIQUE INDEX kms_keys_one_active ON kms_keys (state) WHERE state = 'active'");
      s.execute("COMMENT ON TABLE kms_root IS 'HMAC key-check value of the root key (security.kms.master_key); never the key'");
      s.execute("COMMENT ON COLUMN kms_keys.wrapped_key IS"
          + " 'base64(nonce|ciphertext|tag): the 256-bit data key, AES-256-GCM-wrapped by a key derived from the root key'");
      s.execute("""
          ALTER TABLE users
              ADD COLUMN email_ciphertext       TEXT,
              ADD COLUMN email_hmac             BYTEA,
              ADD COLUMN phone_ciphertext       TEXT,
              ADD COLUMN phone_hmac             BYTEA,
              ADD COLUMN totp_secret_ciphertext TEXT,
              ADD COLUMN pii_key_version        INTEGER NOT NULL DEFAULT 0""");
    }
    KeyTable.verifyOrRecord(c, root);
    KeyTable.addDataKey(c, root);
    KeyRing ring = KeyTable.load(c, root);
    long converted = convert(c, ring);
    try (Statement s = c.createStatement()) {
      // V5's "a changed address is unproven" trigger watches the clear columns: it moves to their lookups
      s.execute("DROP TRIGGER IF EXISTS users_address_change_unverifies ON users");
      s.execute("ALTER TABLE users DROP COLUMN email, DROP COLUMN phone, DROP COLUMN totp_secret");
      s.execute("""
          CREATE OR REPLACE FUNCTION users_address_change_unverifies() RETURNS trigger AS $$
          BEGIN
              IF NEW.email_hmac IS DISTINCT FROM OLD.email_hmac THEN
                  NEW.email_verified := false;
              END IF;
              IF NEW.phone_hmac IS DISTINCT FROM OLD.phone_hmac THEN
                  NEW.phone_verified := false;
              END IF;
              RETURN NEW;
          END;
          $$ LANGUAGE plpgsql""");
      s.execute("""
          CREATE TRIGGER users_address_change_unverifies
              BEFORE UPDATE OF email_hmac, phone_hmac ON users
              FOR EACH ROW EXECUTE FUNCTION users_address_change_unverifies()""");
      s.execute("""
          ALTER TABLE users
              ADD CONSTRAINT users_email_sealed CHECK (email_ciphertext ~ '^v[0-9]+:' AND email_hmac IS NOT NULL
                  OR email_ciphertext IS NULL AND email_hmac IS NULL),
              ADD CONSTRAINT users_phone_sealed CHECK (phone_ciphertext ~ '^v[0-9]+:' AND phone_hmac IS NOT NULL
                  OR phone_ciphertext IS NULL AND phone_hmac IS NULL),
              ADD CONSTRAINT users_totp_secret_sealed CHECK (totp_secret_ciphertext ~ '^v[0-9]+:'),
              ADD CONSTRAINT users_totp_needs_secret CHECK (NOT totp_enabled OR totp_secret_ciphertext IS NOT NULL)""");
      s.execute("CREATE UNIQUE INDEX users_email_hmac_key ON users (email_hmac) WHERE email_hmac IS NOT NULL");
      s.execute("CREATE UNIQUE INDEX users_phone_hmac_key ON users (phone_hmac) WHERE phone_hmac IS NOT NULL");
      s.execute("CREATE INDEX users_pii_key_version_idx ON users (pii_key_version)");
      s.execute("COMMENT ON COLUMN users.email_ciphertext IS 'v<data key>:base64(nonce|ciphertext|tag), AES-256-GCM'");
      s.execute("COMMENT ON COLUMN users.email_hmac IS 'HMAC-SHA256 of the lower-cased email: lookup and uniqueness'");
      s.execute("COMMENT ON COLUMN users.phone_hmac IS 'HMAC-SHA256 of the E.164 phone: lookup and uniqueness'");
      s.execute("COMMENT ON COLUMN users.pii_key_version IS 'oldest data key any sealed column of the row is under'");
    }
    LOG.info("migrations: {} account(s) converted to sealed email/phone/TOTP columns (data key v{})",
        converted, ring.activeVersion());
  }

  private long convert(Connection c, KeyRing ring) throws SQLException {
    long converted = 0;
    long after = 0;
    while (true) {
      int batch = 0;
      try (PreparedStatement select = c.prepareStatement("SELECT id, email, phone, totp_secret FROM users"
          + " WHERE id > ? ORDER BY id LIMIT " + BATCH);
           PreparedStatement update = c.prepareStatement("UPDATE users SET email_ciphertext = ?, email_hmac = ?,"
               + " phone_ciphertext = ?, phone_hmac = ?, totp_secret_ciphertext = ?, pii_key_version = ? WHERE id = ?")) {
        select.setLong(1, after);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            long id = rs.getLong(1);
            String email = rs.getString(2);
            String phone = rs.getString(3);
            String totp = rs.getString(4);
            update.setString(1, ring.seal(email, SealedColumns.associatedData(SealedColumns.EMAIL, id)));
            setBytes(update, 2, SealedColumns.emailLookup(ring, email));
            update.setString(3, ring.seal(phone, SealedColumns.associatedData(SealedColumns.PHONE, id)));
            setBytes(update, 4, SealedColumns.phoneLookup(ring, phone));
            update.setString(5, totp == null ? null
                : ring.seal(legacyTotp(totp, id), SealedColumns.associatedData(SealedColumns.TOTP_SECRET, id)));
            update.setInt(6, ring.activeVersion());
            update.setLong(7, id);
            update.addBatch();
            after = id;
            batch++;
          }
        }
        if (batch == 0) {
          return converted;
        }
        update.executeBatch();
        converted += batch;
      }
    }
  }

  private byte[] legacyTotp(String sealed, long id) {
    if (legacyTotpKey == null) {
      throw new IllegalStateException("account " + id + " has a TOTP secret sealed by an earlier release, and"
          + " auth.totp.encryption_key (TOTP_ENCRYPTION_KEY), the key that opens it, is not set");
    }
    try {
      return KeyRing.openLegacy(legacyTotpKey, sealed, "totp:" + id);
    } catch (IllegalArgumentException e) {
      // no cause: start-up reports the innermost message, and this one is the operator's
      throw new IllegalStateException("account " + id + "'s TOTP secret does not open with auth.totp.encryption_key"
          + " (TOTP_ENCRYPTION_KEY): set the key the earlier release used");
    }
  }

  private static void setBytes(PreparedStatement p, int index, byte[] value) throws SQLException {
    if (value == null) {
      p.setNull(index, Types.BINARY);
    } else {
      p.setBytes(index, value);
    }
  }
}
