package io.xredline.app;

import io.vertx.core.json.JsonObject;
import io.xredline.auth.PasswordHashing;
import io.xredline.config.AppConfig;
import io.xredline.data.PgUrls;
import io.xredline.kms.KeyRing;
import io.xredline.kms.KeyTable;
import io.xredline.kms.RootKey;
import io.xredline.kms.SealedColumns;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("kms rotate: a new data key, and the running service re-encrypts every account in the background while it serves")
class KmsRotateTest {
  private static final String PASSWORD = "Corr3ct-Horse-Battery";
  private static final int ACCOUNTS = 2_000;
  private static final long FIRST_ID = 1_000_000;
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("kmsrotate", Map.of("auth.captcha.enabled", "false", "security.kms.refresh_interval", "200ms"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static HttpResponse<String> post(String path, JsonObject body) {
    return app.post(path, "application/json", body.encode());
  }

  private static HttpResponse<String> login(String name) {
    return post("/api/v1/auth/login", new JsonObject().put("username", name).put("password", PASSWORD));
  }

  /** 2,000 accounts sealed under data key v1, written straight to the table (hashing each through the API would take minutes). */
  private static void bulkAccounts() throws Exception {
    String hash = PasswordHashing.hashNow(PASSWORD, new PasswordHashing.Params(19456, 2, 1));
    PgUrls.Jdbc jdbc = PgUrls.jdbc(app.databaseUrl());
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.properties())) {
      KeyRing ring = KeyTable.load(c, RootKey.of(app.config().security().kms().masterKey()));
      assertThat(ring.activeVersion()).isEqualTo(1);
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO users (id, username, password_hash, email_ciphertext,"
          + " email_hmac, phone_ciphertext, phone_hmac, pii_key_version) OVERRIDING SYSTEM VALUE"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, 1)")) {
        for (int i = 0; i < ACCOUNTS; i++) {
          long id = FIRST_ID + i;
          String email = "rotate" + i + "@example.com";
          String phone = "+86137" + String.format("%08d", i);
          insert.setLong(1, id);
          insert.setString(2, "rotate_" + i);
          insert.setString(3, hash);
          insert.setString(4, ring.seal(email, SealedColumns.associatedData(SealedColumns.EMAIL, id)));
          insert.setBytes(5, SealedColumns.emailLookup(ring, email));
          insert.setString(6, ring.seal(phone, SealedColumns.associatedData(SealedColumns.PHONE, id)));
          insert.setBytes(7, SealedColumns.phoneLookup(ring, phone));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      c.commit();
    }
  }

  private static String kms(String action) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = KmsCommand.run(app.config(), List.of("kms", action), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as("kms %s: %s", action, err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int kms(AppConfig config, List<String> args, ByteArrayOutputStream err) {
    return KmsCommand.run(config, args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("kms with another root key fails (exit 1) naming the root key and adds nothing; a wrong subcommand is usage (exit 2)")
  void refusals() {
    long keys = TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_keys");
    Map<String, String> overrides = new java.util.HashMap<>(TestBackends.redisOverrides());
    overrides.put("data.database.url", app.databaseUrl());
    overrides.put("security.kms.master_key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(kms(TestApp.config(overrides), List.of("kms", "rotate"), err)).isEqualTo(KmsCommand.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("kms rotate failed: the root key")
        .doesNotContain("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_keys")).isEqualTo(keys);
    ByteArrayOutputStream usage = new ByteArrayOutputStream();
    assertThat(kms(app.config(), List.of("kms", "destroy"), usage)).isEqualTo(KmsCommand.USAGE);
    assertThat(usage.toString(StandardCharsets.UTF_8)).contains("usage: kms rotate | kms status");
  }

  private static long stale(int active) {
    return TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE pii_key_version < " + active);
  }

  @Test
  @Timeout(180) // 2,000 accounts re-encrypted in the background on a loaded two-core machine
  @DisplayName("2,000 accounts under v1 end under v2; logins by email and phone keep working during and after; v1 stays for reading")
  void rotateWhileServing() throws Exception {
    bulkAccounts();
    String registered = "rotator_user";
    assertThat(post("/api/v1/auth/register", new JsonObject().put("username", registered).put("password", PASSWORD)
        .put("email", "rotator@example.com").put("phone", "13600001111")).statusCode()).isEqualTo(201);
    assertThat(kms("status")).contains("v1  active").contains("accounts still to re-encrypt: 0");

    long begin = System.nanoTime();
    String rotated = kms("rotate");
    assertThat(rotated).contains("data key v2 created and active").contains("v1  decrypt_only").contains("v2  active");

    // the service serves throughout: a login that opens a v1 or a v2 row, whichever it is at that moment
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger logins = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Thread client = new Thread(() -> {
      int i = 0;
      while (!done.get()) {
        String name = (i % 2 == 0) ? "rotate" + (i * 37 % ACCOUNTS) + "@example.com" : "rotator@example.com";
        (login(name).statusCode() == 200 ? logins : failures).incrementAndGet();
        i++;
      }
    }, "rotation-client");
    client.start();
    try {
      Eventually.within(Duration.ofSeconds(150), "every account re-encrypted under v2", () -> stale(2) == 0);
    } finally {
      done.set(true);
      client.join(30_000);
    }
    long ms = (System.nanoTime() - begin) / 1_000_000;
    System.out.printf("kms rotate: %d accounts re-encrypted v1 -> v2 in the background in %d ms; %d logins during it,"
        + " %d failed%n", ACCOUNTS + 1, ms, logins.get(), failures.get());
    assertThat(failures.get()).isZero();
    assertThat(logins.get()).isPositive();

    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE email_ciphertext LIKE 'v2:%'"
        + " AND phone_ciphertext LIKE 'v2:%' AND pii_key_version = 2")).isEqualTo(ACCOUNTS + 1);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE email_ciphertext NOT LIKE 'v2:%'"
        + " OR phone_ciphertext NOT LIKE 'v2:%'")).isZero();
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM kms_keys WHERE version = 1 AND state = 'decrypt_only'"))
        .isEqualTo(1);
    for (String name : List.of("rotate1999@example.com", "+8613700000007", "13600001111", "rotator_user")) {
      HttpResponse<String> r = login(name);
      assertThat(r.statusCode()).as("login as %s after rotation: %s", name, r.body()).isEqualTo(200);
    }
    // new accounts are sealed under v2 at once
    assertThat(post("/api/v1/auth/register", new JsonObject().put("username", "after_rotation").put("password", PASSWORD)
        .put("email", "after@example.com")).statusCode()).isEqualTo(201);
    assertThat(TestBackends.count(app.databaseUrl(), "SELECT count(*) FROM users WHERE username = 'after_rotation'"
        + " AND email_ciphertext LIKE 'v2:%' AND pii_key_version = 2")).isEqualTo(1);
    assertThat(kms("status")).contains("v2  active").contains("accounts still to re-encrypt: 0");
  }
}
