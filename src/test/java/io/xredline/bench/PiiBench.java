package io.xredline.bench;

import io.vertx.core.json.JsonObject;
import io.xredline.data.Migrations;
import io.xredline.data.PgUrls;
import io.xredline.kms.KeyRing;
import io.xredline.kms.KeyTable;
import io.xredline.kms.RootKey;
import io.xredline.kms.SealedColumns;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: {@code scripts/bench pii}. What envelope encryption costs register and login, in one
 * run on this machine: (1) the storage path of each, as the service runs it, with email and phone in
 * clear (the schema before V6: lower(email) unique index) and sealed (seal + HMAC on register,
 * HMAC lookup + open on login), on the same PostgreSQL, interleaved; (2) the crypto alone per
 * operation; (3) logins/s through the whole service (argon2id included), which puts (2) in proportion.
 * Prints ratios sealed/clear; nothing is asserted.
 */
public final class PiiBench {
  private static final RootKey ROOT = RootKey.of(Base64.getDecoder().decode("eHJlZGxpbmUtZGV2LXJvb3Qta2V5LW5vdC00LXByb2Q="));

  private PiiBench() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String db = TestBackends.freshDatabase("piibench");
    Migrations.run(db, ROOT, null);
    PgUrls.Jdbc jdbc = PgUrls.jdbc(db);
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.properties())) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE users_clear (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, username TEXT NOT NULL,"
            + " password_hash TEXT NOT NULL, email TEXT, phone TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        s.execute("CREATE UNIQUE INDEX users_clear_email ON users_clear (lower(email))");
        s.execute("CREATE UNIQUE INDEX users_clear_phone ON users_clear (phone)");
      }
      KeyRing ring = KeyTable.load(c, ROOT);
      System.out.printf(Locale.ROOT, "machine: %d cores; %d s per phase; PostgreSQL over JDBC, one connection%n",
          Runtime.getRuntime().availableProcessors(), seconds);
      Storage clear = new ClearStorage(c);
      Storage sealed = new SealedStorage(c, ring);
      // warm-up, then clear and sealed interleaved twice; the better of two runs each
      run(clear, 1);
      run(sealed, 1);
      double[] clearRate = new double[2];
      double[] sealedRate = new double[2];
      for (int round = 0; round < 2; round++) {
        double[] a = run(clear, seconds);
        double[] b = run(sealed, seconds);
        clearRate[0] = Math.max(clearRate[0], a[0]);
        clearRate[1] = Math.max(clearRate[1], a[1]);
        sealedRate[0] = Math.max(sealedRate[0], b[0]);
        sealedRate[1] = Math.max(sealedRate[1], b[1]);
      }
      System.out.printf(Locale.ROOT, "register storage path: clear %8.0f /s   sealed %8.0f /s   RATIO sealed/clear %.2f%n",
          clearRate[0], sealedRate[0], sealedRate[0] / clearRate[0]);
      System.out.printf(Locale.ROOT, "login lookup path:     clear %8.0f /s   sealed %8.0f /s   RATIO sealed/clear %.2f%n",
          clearRate[1], sealedRate[1], sealedRate[1] / clearRate[1]);
      double registerCrypto = cryptoMicros(ring, true);
      double loginCrypto = cryptoMicros(ring, false);
      System.out.printf(Locale.ROOT, "crypto alone: register %.1f us (2 seals + 2 HMACs), login %.1f us (1 HMAC + 2 opens)%n",
          registerCrypto, loginCrypto);
      double logins = serviceLogins(seconds);
      double perLoginMicros = 1e6 / logins;
      System.out.printf(Locale.ROOT, "logins through the service (argon2id, 8 clients): %.1f /s = %.0f us each;"
          + " PII crypto is %.3f%% of that -> RATIO login after/before >= %.4f%n",
          logins, perLoginMicros, 100 * loginCrypto / perLoginMicros, perLoginMicros / (perLoginMicros + loginCrypto));
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  interface Storage {
    void register(int i) throws Exception;

    void login(int i) throws Exception;
  }

  /** [registers/s, logins/s] */
  private static double[] run(Storage storage, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    int n = 0;
    while (System.nanoTime() < end) {
      storage.register(n++);
    }
    double registers = n / ((System.nanoTime() - start) / 1e9);
    int registered = n;
    end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    start = System.nanoTime();
    int m = 0;
    while (System.nanoTime() < end) {
      storage.login(m++ % registered);
    }
    return new double[] {registers, m / ((System.nanoTime() - start) / 1e9)};
  }

  private static final AtomicLong RUN = new AtomicLong();

  private static String email(long run, int i) {
    return "Bench" + run + "_" + i + "@Example.com";
  }

  private static final class ClearStorage implements Storage {
    private final PreparedStatement insert;
    private final PreparedStatement find;
    private long run = -1;

    ClearStorage(Connection c) throws Exception {
      insert = c.prepareStatement("INSERT INTO users_clear (username, password_hash, email, phone) VALUES (?, 'h', ?, ?)");
      find = c.prepareStatement("SELECT id, username, password_hash, email, phone FROM users_clear WHERE lower(email) = lower(?)");
    }

    @Override
    public void register(int i) throws Exception {
      if (i == 0) {
        run = RUN.incrementAndGet();
      }
      insert.setString(1, "u" + run + "_" + i);
      insert.setString(2, email(run, i));
      insert.setString(3, "+86" + (13_000_000_000L + run * 1_000_000 + i));
      insert.executeUpdate();
    }

    @Override
    public void login(int i) throws Exception {
      find.setString(1, email(run, i));
      try (ResultSet rs = find.executeQuery()) {
        if (!rs.next() || rs.getString(4) == null) {
          throw new IllegalStateException("not found");
        }
      }
    }
  }

  /** What UserStore does, over JDBC: nextval, seal both values bound to the id, HMACs; lookup by HMAC, open. */
  private static final class SealedStorage implements Storage {
    private final KeyRing ring;
    private final PreparedStatement next;
    private final PreparedStatement insert;
    private final PreparedStatement find;
    private long run = -1;

    SealedStorage(Connection c, KeyRing ring) throws Exception {
      this.ring = ring;
      next = c.prepareStatement("SELECT nextval(pg_get_serial_sequence('users', 'id'))");
      insert = c.prepareStatement("INSERT INTO users (id, username, password_hash, email_ciphertext, email_hmac,"
          + " phone_ciphertext, phone_hmac, pii_key_version) OVERRIDING SYSTEM VALUE VALUES (?, ?, 'h', ?, ?, ?, ?, ?)");
      find = c.prepareStatement("SELECT id, username, password_hash, email_ciphertext, phone_ciphertext,"
          + " totp_secret_ciphertext FROM users WHERE email_hmac = ?");
    }

    @Override
    public void register(int i) throws Exception {
      if (i == 0) {
        run = RUN.incrementAndGet();
      }
      long id;
      try (ResultSet rs = next.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      String email = email(run, i);
      String phone = "+86" + (13_000_000_000L + run * 1_000_000 + i);
      insert.setLong(1, id);
      insert.setString(2, "u" + run + "_" + i);
      insert.setString(3, ring.seal(email, SealedColumns.associatedData(SealedColumns.EMAIL, id)));
      insert.setBytes(4, SealedColumns.emailLookup(ring, email));
      insert.setString(5, ring.seal(phone, SealedColumns.associatedData(SealedColumns.PHONE, id)));
      insert.setBytes(6, SealedColumns.phoneLookup(ring, phone));
      insert.setInt(7, ring.activeVersion());
      insert.executeUpdate();
    }

    @Override
    public void login(int i) throws Exception {
      find.setBytes(1, SealedColumns.emailLookup(ring, email(run, i)));
      try (ResultSet rs = find.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("not found");
        }
        long id = rs.getLong(1);
        ring.openString(rs.getString(4), SealedColumns.associatedData(SealedColumns.EMAIL, id));
        ring.openString(rs.getString(5), SealedColumns.associatedData(SealedColumns.PHONE, id));
      }
    }
  }

  private static double cryptoMicros(KeyRing ring, boolean register) {
    String email = "someone.long-ish@example.com";
    String phone = "+8613812345678";
    String sealedEmail = ring.seal(email, "users.email:1");
    String sealedPhone = ring.seal(phone, "users.phone:1");
    int n = 200_000;
    long sink = 0;
    for (int warm = 0; warm < 2; warm++) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (register) {
          sink += ring.seal(email, "users.email:1").length() + ring.seal(phone, "users.phone:1").length()
              + SealedColumns.emailLookup(ring, email).length + SealedColumns.phoneLookup(ring, phone).length;
        } else {
          sink += SealedColumns.emailLookup(ring, email).length + ring.openString(sealedEmail, "users.email:1").length()
              + ring.openString(sealedPhone, "users.phone:1").length();
        }
      }
      if (warm == 1) {
        if (sink == 42) {
          System.out.println();
        }
        return (System.nanoTime() - start) / 1e3 / n;
      }
    }
    throw new AssertionError();
  }

  private static double serviceLogins(int seconds) throws Exception {
    String password = "Bench-Password-4711";
    try (TestApp app = TestApp.start("piibench", Map.of("auth.captcha.enabled", "false"))) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      int clients = 8;
      for (int c = 0; c < clients; c++) {
        send(http, app, "/api/v1/auth/register", new JsonObject().put("username", "piibench" + c).put("password", password)
            .put("email", "piibench" + c + "@example.com").put("phone", "+861380000000" + c));
      }
      AtomicLong ok = new AtomicLong();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds * 2L);
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long start = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        String email = "piibench" + c + "@example.com";
        pool.submit(() -> {
          while (System.nanoTime() < deadline) {
            if (send(http, app, "/api/v1/auth/login", new JsonObject().put("username", email).put("password", password)) == 200) {
              ok.incrementAndGet();
            }
          }
        });
      }
      pool.shutdown();
      pool.awaitTermination(seconds * 2L + 60, TimeUnit.SECONDS);
      return ok.get() / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static int send(HttpClient http, TestApp app, String path, JsonObject body) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
