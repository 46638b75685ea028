package io.xredline.data;

import io.xredline.kms.RootKey;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Flyway over JDBC, once, before the service reports ready; a history written by an earlier
 * release is first brought in line with renamed migrations ({@link HistoryRealignment}). SQL files
 * live in db/migration; V6 is Java ({@link PiiEncryptionMigration}) because it encrypts, so it needs
 * the root key and the former TOTP key (null when none was configured).
 * Blocking; call it off the event loop.
 */
public final class Migrations {
  private Migrations() {
  }

  /** @return how many migrations this run applied */
  public static int run(String databaseUrl, RootKey root, byte[] legacyTotpKey) {
    PgUrls.Jdbc jdbc = PgUrls.jdbc(databaseUrl);
    Flyway flyway = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/migration")
        .connectRetries(3)
        .failOnMissingLocations(true)
        .callbacks(new HistoryRealignment())
        .javaMigrations(new PiiEncryptionMigration(root, legacyTotpKey))
        .load();
    MigrateResult result = flyway.migrate();
    return result.migrationsExecuted;
  }
}
