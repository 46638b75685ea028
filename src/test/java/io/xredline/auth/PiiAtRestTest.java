package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.data.PgUrls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("PII at rest (issue 10): email, phone and TOTP secret only sealed in the users table, found and kept unique through HMACs")
class PiiAtRestTest extends AuthTestBase {
  /** 32 bytes in base64, not the shipped dev key. */
  static final String OTHER_ROOT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  /** What the report shows: the sealed columns as plain SQL sees them. */
  static final String SHOW_SQL = "SELECT id, username, email_ciphertext, encode(email_hmac, 'hex') AS email_hmac,"
      + " phone_ciphertext, encode(phone_hmac, 'hex') AS phone_hmac, totp_secret_ciphertext, pii_key_version"
      + " FROM users WHERE username = '%s'";
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("pii", overrides());
  }

  @AfterAll
  static void stop() {
    app.close();
    assertNoSecretsLogged();
  }

  static List<Map<String, String>> rows(String databaseUrl, String sql) {
    PgUrls.Jdbc jdbc = PgUrls.jdbc(databaseUrl);
    List<Map<String, String>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.properties()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), rs.getString(i));
        }
        rows.add(row);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
    return rows;
  }

  private static HttpResponse<String> registerWithPhone(String username, String email, String phone) {
    return postJson(app, AUTH + "/register", registration(app, username, PASSWORD, email).put("phone", phone));
  }

  @Test
  @DisplayName("plain SQL finds no email, phone or TOTP secret in clear: only v1:<base64> ciphertexts and 32-byte HMACs")
  void nothingInClear() {
    String username = uniqueName("pii");
    String email = "Pii." + username + "@Example.com";
    String phone = "1381234" + String.format(Locale.ROOT, "%04d", Math.floorMod(username.hashCode(), 10_000));
    HttpResponse<String> r = registerWithPhone(username, email, phone);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject tokens = tokens(app, username);
    HttpResponse<String> setup = postJson(app, AUTH + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer(tokens));
    assertThat(setup.statusCode()).as(setup.body()).isEqualTo(200);
    String base32 = json(setup).getString("secret");
    SECRETS.add(base32);
    byte[] secret = Totp.fromBase32(base32);
    String code = Totp.code(secret, Totp.step(Instant.now().getEpochSecond()));
    assertThat(postJson(app, AUTH + "/totp/enable", new JsonObject().put("totp_code", code), bearer(tokens)).statusCode())
        .isEqualTo(200);

    assertThat(rows(app.databaseUrl(), "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"))
        .extracting(row -> row.get("column_name"))
        .doesNotContain("email", "phone", "totp_secret")
        .contains("email_ciphertext", "email_hmac", "phone_ciphertext", "phone_hmac", "totp_secret_ciphertext");
    List<Map<String, String>> shown = rows(app.databaseUrl(), String.format(Locale.ROOT, SHOW_SQL, username));
    assertThat(shown).hasSize(1);
    Map<String, String> row = shown.get(0);
    assertThat(row.get("email_ciphertext")).matches("v1:[A-Za-z0-9+/]+=*");
    assertThat(row.get("phone_ciphertext")).matches("v1:[A-Za-z0-9+/]+=*");
    assertThat(row.get("totp_secret_ciphertext")).matches("v1:[A-Za-z0-9+/]+=*");
    assertThat(row.get("email_hmac")).hasSize(64);
    assertThat(row.get("phone_hmac")).hasSize(64);
    // the whole row as text, every column, in any case: none of the values appears
    String whole = rows(app.databaseUrl(), "SELECT u::text AS t FROM users u WHERE username = '" + username + "'")
        .get(0).get("t").toLowerCase(Locale.ROOT);
    assertThat(whole).doesNotContain(email.toLowerCase(Locale.ROOT), username.toLowerCase(Locale.ROOT) + "@example.com",
        phone, base32.toLowerCase(Locale.ROOT), HexFormat.of().formatHex(secret));
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users u WHERE position('"
        + phone + "' in u::text) > 0 OR position('" + email.toLowerCase(Locale.ROOT) + "' in lower(u::text)) > 0")).isZero();
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_keys")).isEqualTo(1);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_root")).isEqualTo(1);

    // and through the API it all still reads: /me masked, login with the TOTP code
    JsonObject me = json(app.get(AUTH + "/me", bearer(tokens)));
    assertThat(me.getString("email")).isEqualTo(io.xredline.observability.Masking.email(email)).doesNotContain(username);
    assertThat(me.getString("phone")).isEqualTo("+86" + phone.substring(0, 3) + "****" + phone.substring(7))
        .isEqualTo(io.xredline.observability.Masking.phone("+86" + phone));
    assertThat(me.getBoolean("totp_enabled")).isTrue();
    String next = Totp.code(secret, Totp.step(Instant.now().getEpochSecond()) + 1);
    HttpResponse<String> withTotp = postJson(app, AUTH + "/login", loginBody(app, email.toUpperCase(Locale.ROOT), PASSWORD)
        .put("totp_code", next));
    assertThat(withTotp.statusCode()).as(withTotp.body()).isEqualTo(200);
    remember(json(withTotp));
  }

  @Test
  @DisplayName("a duplicate email in another case gives EMAIL_EXISTS and a phone in the other form PHONE_EXISTS (via the HMACs)")
  void uniqueness() {
    String first = uniqueName("dup");
    String email = first.toLowerCase(Locale.ROOT) + "@example.com";
    String phone = "1391234" + String.format(Locale.ROOT, "%04d", Math.floorMod(first.hashCode(), 10_000));
    assertThat(registerWithPhone(first, email, phone).statusCode()).isEqualTo(201);

    assertError(register(app, uniqueName("dup"), PASSWORD, email.toUpperCase(Locale.ROOT)), 409, "EMAIL_EXISTS");
    assertError(registerWithPhone(uniqueName("dup"), uniqueName("other").toLowerCase(Locale.ROOT) + "@example.com",
        "+86" + phone), 409, "PHONE_EXISTS");
    assertError(registerWithPhone(uniqueName("dup"), uniqueName("other").toLowerCase(Locale.ROOT) + "@example.com", phone),
        409, "PHONE_EXISTS");
  }

  @Test
  @DisplayName("login by username, by email in any case and by phone in both forms finds the account")
  void loginByEveryName() {
    String username = uniqueName("names");
    String email = username.toLowerCase(Locale.ROOT) + "@example.com";
    String phone = "1371234" + String.format(Locale.ROOT, "%04d", Math.floorMod(username.hashCode(), 10_000));
    assertThat(registerWithPhone(username, email, phone).statusCode()).isEqualTo(201);
    for (String name : List.of(username, email, email.toUpperCase(Locale.ROOT), phone, "+86" + phone)) {
      HttpResponse<String> r = login(app, name, PASSWORD);
      assertThat(r.statusCode()).as("login as %s: %s", name, r.body()).isEqualTo(200);
      remember(json(r));
    }
    assertError(login(app, "nobody-" + email, PASSWORD), 401, "INVALID_CREDENTIALS");
  }

  @Test
  @Timeout(90) // starts a second service instance on the same database
  @DisplayName("another root key on the same database refuses to start, naming the root key, and changes nothing")
  void wrongRootKeyRefusesToStart() {
    long keys = TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_keys");
    String check = rows(app.databaseUrl(), "SELECT key_check FROM kms_root").get(0).get("key_check");
    assertThatThrownBy(() -> TestApp.start("piiwrongkey", Map.of("data.database.url", app.databaseUrl(),
        "security.kms.master_key", OTHER_ROOT_KEY)).close())
        .hasMessageContaining("root key (security.kms.master_key / XREDLINE_MASTER_KEY) is not the one this database was"
            + " encrypted with")
        .hasMessageNotContaining(OTHER_ROOT_KEY);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_keys")).isEqualTo(keys);
    assertThat(rows(app.databaseUrl(), "SELECT key_check FROM kms_root").get(0).get("key_check")).isEqualTo(check);
    // the first instance still serves
    String username = newUser(app);
    tokens(app, username);
  }
}
