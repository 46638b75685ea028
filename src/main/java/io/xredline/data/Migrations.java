package io.xredline.data;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Flyway over JDBC, once, before the service reports ready; a history written by an earlier
 * release is first brought in line with renamed migrations ({@link HistoryRealignment}).
 * Blocking; call it off the event loop.
 */
public final class Migrations {
  private Migrations() {
  }

  /** @return how many migrations this run applied */
  public static int run(String databaseUrl) {
    PgUrls.Jdbc jdbc = PgUrls.jdbc(databaseUrl);
    Flyway flyway = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/migration")
        .connectRetries(3)
        .failOnMissingLocations(true)
        .callbacks(new HistoryRealignment())
        .load();
    MigrateResult result = flyway.migrate();
    return result.migrationsExecuted;
  }
}
