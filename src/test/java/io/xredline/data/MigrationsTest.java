package io.xredline.data;

import io.xredline.kms.RootKey;
import io.xredline.testing.TestBackends;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * src/test/resources/db/legacy-migration holds the migrations exactly as the release before the
 * renumbering shipped them (V1, V2, V3, V20), so a database they migrated is a real earlier install.
 */
@DisplayName("Migrations are numbered V1..V6, and a database migrated by the earlier V1, V2, V3, V20 upgrades in place")
class MigrationsTest {
  static final RootKey ROOT = RootKey.of(java.util.Base64.getDecoder().decode("eHJlZGxpbmUtZGV2LXJvb3Qta2V5LW5vdC00LXByb2Q="));
  private static final List<String> HISTORY = List.of("1 V1__users.sql", "2 V2__greetings.sql",
      "3 V3__accounts_roles_totp.sql", "4 V4__operation_logs.sql", "5 V5__account_lifecycle.sql",
      "6 io.xredline.data.PiiEncryptionMigration");
  private String db;

  private static int run(String db) {
    return Migrations.run(db, ROOT, null);
  }

  @BeforeEach
  void database() {
    db = TestBackends.freshDatabase("migrations");
  }

  @AfterEach
  void drop() {
    TestBackends.dropDatabase(db);
  }

  @Test
  @DisplayName("a fresh database gets V1..V5 and V6 (Java: PII sealed), and a second run applies nothing")
  void fresh() throws Exception {
    assertThat(run(db)).isEqualTo(6);
    assertThat(history()).containsExactlyElementsOf(HISTORY);
    assertThat(run(db)).isZero();
  }

  @Test
  @DisplayName("the realignment's checksums are the ones Flyway computes for the shipped files")
  void checksumsMatchTheFiles() throws Exception {
    run(db);
    for (HistoryRealignment.Rewrite rewrite : HistoryRealignment.REWRITES) {
      assertThat(checksum(rewrite.version())).as(rewrite.script()).isEqualTo(rewrite.checksum());
    }
  }

  @Test
  @DisplayName("an earlier install's history is realigned, nothing is re-applied, data is kept and Flyway validates it")
  void earlierInstall() throws Exception {
    PgUrls.Jdbc jdbc = PgUrls.jdbc(db);
    Flyway legacy = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/legacy-migration").load();
    assertThat(legacy.migrate().migrationsExecuted).isEqualTo(4);
    TestBackends.execute(db, "INSERT INTO operation_logs (occurred_at, kind) VALUES (now(), 'kept')");
    assertThat(history()).contains("20 V20__operation_logs.sql");

    assertThat(run(db)).as("nothing re-applied but V5 and the PII migration").isEqualTo(2);

    assertThat(history()).containsExactlyElementsOf(HISTORY);
    assertThat(TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE kind = 'kept'")).isEqualTo(1);
    Flyway current = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/migration").javaMigrations(new PiiEncryptionMigration(ROOT, null)).load();
    assertThat(current.validateWithResult().validationSuccessful).isTrue();
  }

  @Test
  @DisplayName("docs/deployment.md's rollback SQL gives a pre-renumbering build a history it validates")
  void rollbackToAnEarlierBuild() throws Exception {
    // the SQL-only part: past V6 (PII sealed, clear columns gone) no earlier build can run at all
    PgUrls.Jdbc sqlOnly = PgUrls.jdbc(db);
    Flyway.configure().dataSource(sqlOnly.url(), sqlOnly.properties().getProperty("user"),
        sqlOnly.properties().getProperty("password")).locations("classpath:db/migration").target("4").load().migrate();
    TestBackends.execute(db, ROLLBACK_SQL);
    PgUrls.Jdbc jdbc = PgUrls.jdbc(db);
    // the release that renumbered (V4); a pre-renumbering build cannot resolve anything applied after it
    Flyway.configure()
        .dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/migration").target("4").callbacks(new HistoryRealignment()).load().migrate();
    TestBackends.execute(db, ROLLBACK_SQL);
    Flyway legacy = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/legacy-migration").load();
    assertThat(legacy.validateWithResult().validationSuccessful).isTrue();
    assertThat(legacy.migrate().migrationsExecuted).isZero();
    assertThat(run(db)).as("and the current build realigns it again (V5, and V6 seals PII)").isEqualTo(2);
  }

  /** The statements docs/deployment.md ("Rolling back past the migration renumbering") gives operators. */
  private static final String ROLLBACK_SQL = """
      UPDATE flyway_schema_history SET version = '20', script = 'V20__operation_logs.sql', checksum = 502766568
        WHERE version = '4' AND script = 'V4__operation_logs.sql' AND checksum = -712215323;
      UPDATE flyway_schema_history SET checksum = 487871638
        WHERE version = '3' AND script = 'V3__accounts_roles_totp.sql' AND checksum = -2041095259;
      """;

  @Test
  @DisplayName("a history that differs in any other way is left alone, so Flyway still refuses it")
  void otherDriftStillFails() throws Exception {
    run(db);
    TestBackends.execute(db, "UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '3'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(db))
        .hasMessageContaining("checksum mismatch");
    assertThat(checksum("3")).isEqualTo(12345);
  }

  private List<String> history() throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version, script FROM flyway_schema_history ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return rows;
  }

  private int checksum(String version) throws Exception {
    try (Connection c = connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT checksum FROM flyway_schema_history WHERE version = '" + version + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private Connection connect() throws Exception {
    PgUrls.Jdbc jdbc = PgUrls.jdbc(db);
    return DriverManager.getConnection(jdbc.url(), jdbc.properties());
  }
}
