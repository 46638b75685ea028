package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.data.PgUrls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A database as the release before envelope encryption left it (V1..V4, email and phone in clear,
 * TOTP secrets sealed with the fixed auth.totp.encryption_key) is converted by V6 when the new
 * release starts on it, and every account keeps working.
 */
@DisplayName("the V6 migration converts rows an earlier release stored in clear, all or nothing")
class PiiConversionTest extends AuthTestBase {
  /** What conf/config.yaml ships as auth.totp.encryption_key: the key earlier dev/test installs sealed TOTP with. */
  private static final byte[] LEGACY_TOTP_KEY = Base64.getDecoder().decode("eHJlZGxpbmUtZGV2LXRvdHAta2V5LW5vdC1zZWNyZXQ=");
  private static final int BULK = 2_500;
  private String db;

  @BeforeEach
  void earlierRelease() {
    db = TestBackends.freshDatabase("piiconversion");
    PgUrls.Jdbc jdbc = PgUrls.jdbc(db);
    Flyway.configure().dataSource(jdbc.url(), jdbc.properties().getProperty("user"), jdbc.properties().getProperty("password"))
        .locations("classpath:db/migration").target("4").load().migrate();
  }

  @AfterEach
  void drop() {
    TestBackends.dropDatabase(db);
  }

  private static String legacySeal(byte[] secret, long userId) throws Exception {
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(LEGACY_TOTP_KEY, "AES"), new GCMParameterSpec(128, nonce));
    cipher.updateAAD(("totp:" + userId).getBytes(StandardCharsets.UTF_8));
    byte[] sealed = cipher.doFinal(secret);
    return "v1:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
  }

  /** The earlier release's rows: one with email, phone and TOTP on, one CLI admin without PII, and a bulk. */
  private byte[] insertClearRows() throws Exception {
    String hash = PasswordHashing.hashNow(PASSWORD, new PasswordHashing.Params(19456, 2, 1));
    TestBackends.execute(db, "INSERT INTO users (username, password_hash, email, phone) VALUES"
        + " ('legacy_totp', '" + hash + "', 'Legacy.Totp@Example.com', '+8613800001111')");
    TestBackends.execute(db, "INSERT INTO users (username, password_hash, roles) VALUES ('legacy_admin', '" + hash
        + "', ARRAY['admin', 'user'])");
    TestBackends.execute(db, "INSERT INTO users (username, password_hash, email, phone) SELECT 'bulk_' || g, '" + hash
        + "', 'bulk' || g || '@example.com', '+86139' || lpad(g::text, 8, '0') FROM generate_series(1, " + BULK + ") g");
    long id = TestBackends.count(db, "SELECT id FROM users WHERE username = 'legacy_totp'");
    byte[] secret = Totp.newSecret();
    TestBackends.execute(db, "UPDATE users SET totp_secret = '" + legacySeal(secret, id) + "', totp_enabled = true"
        + " WHERE id = " + id);
    return secret;
  }

  @Test
  @Timeout(120) // starts the service, which converts 2,500 rows in its migration
  @DisplayName("clear emails and phones become ciphertexts with HMACs, the TOTP secret is re-sealed, the clear columns are gone")
  void converts() throws Exception {
    byte[] secret = insertClearRows();
    long begin = System.nanoTime();
    try (TestApp app = TestApp.start("piiconversion", overrides("data.database.url", db))) {
      System.out.printf("PII conversion: %d accounts converted at start-up, service ready in %d ms%n", BULK + 2,
          (System.nanoTime() - begin) / 1_000_000);
      assertThat(TestBackends.count(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
          + " AND column_name IN ('email', 'phone', 'totp_secret')")).isZero();
      assertThat(TestBackends.count(db, "SELECT count(*) FROM users WHERE email_ciphertext LIKE 'v1:%'"
          + " AND octet_length(email_hmac) = 32 AND phone_ciphertext LIKE 'v1:%' AND octet_length(phone_hmac) = 32"
          + " AND pii_key_version = 1")).isEqualTo(BULK + 1);
      assertThat(TestBackends.count(db, "SELECT count(*) FROM users u WHERE lower(u::text) LIKE '%example.com%'"
          + " OR u::text LIKE '%+86138%' OR u::text LIKE '%+86139%'")).as("no clear value in any column").isZero();
      assertThat(TestBackends.count(db, "SELECT count(*) FROM users WHERE username = 'legacy_admin'"
          + " AND email_ciphertext IS NULL AND phone_ciphertext IS NULL AND email_hmac IS NULL")).isEqualTo(1);

      // the converted TOTP secret still gives valid codes; login by email in another case
      String code = Totp.code(secret, Totp.step(Instant.now().getEpochSecond()));
      HttpResponse<String> r = postJson(app, AUTH + "/login", loginBody(app, "legacy.totp@EXAMPLE.com", PASSWORD)
          .put("totp_code", code));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject tokens = remember(json(r));
      JsonObject me = json(app.get(AUTH + "/me", bearer(tokens)));
      assertThat(me.getString("email")).isEqualTo(io.xredline.observability.Masking.email("Legacy.Totp@Example.com"));
      assertThat(me.getString("phone")).isEqualTo("+86138****1111");
      // a bulk account by phone (CN form) and a duplicate of a converted email
      HttpResponse<String> byPhone = login(app, "13900001234", PASSWORD);
      assertThat(byPhone.statusCode()).as(byPhone.body()).isEqualTo(200);
      remember(json(byPhone));
      assertError(register(app, uniqueName("again"), PASSWORD, "BULK77@example.com"), 409, "EMAIL_EXISTS");
    }
  }

  @Test
  @Timeout(120) // starts the service (which must refuse)
  @DisplayName("a TOTP secret the configured former key cannot open stops the migration and leaves every row as it was")
  void allOrNothing() throws Exception {
    insertClearRows();
    assertThatThrownBy(() -> TestApp.start("piiconversionfail", overrides("data.database.url", db,
        "auth.totp.encryption_key", PiiAtRestTest.OTHER_ROOT_KEY)).close())
        .hasMessageContaining("TOTP secret does not open with auth.totp.encryption_key");
    assertThat(TestBackends.count(db, "SELECT count(*) FROM users WHERE email LIKE '%@example.com'")).isEqualTo(BULK);
    assertThat(TestBackends.count(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kms_keys'"))
        .isZero();
    assertThat(TestBackends.count(db, "SELECT count(*) FROM flyway_schema_history WHERE version = '6' AND success")).isZero();
  }
}
