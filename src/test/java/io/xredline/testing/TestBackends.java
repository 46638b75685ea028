package io.xredline.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a real PostgreSQL and Redis for tests, in this order: {@code XREDLINE_TEST_PG_URL} /
 * {@code XREDLINE_TEST_REDIS_URL}; a server on 127.0.0.1:5432 / 6379; Docker via Testcontainers;
 * otherwise the embedded ones. Each caller gets a fresh database and its own Redis key prefix.
 */
public final class TestBackends {
  private static String adminPgUrl;
  private static String redisUrl;
  private static String pgSource;
  private static String redisSource;
  private static volatile Map<String, String> redisTopology;

  private TestBackends() {
  }

  /** A new empty database; its URL in the service's own form ({@code postgresql://…}). */
  public static synchronized String freshDatabase(String hint) {
    String admin = adminPgUrl();
    String cleaned = hint.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
    String name = "xr_" + cleaned.substring(0, Math.min(30, cleaned.length())) + "_"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    execute(admin, "CREATE DATABASE " + name);
    return admin.substring(0, admin.lastIndexOf('/') + 1) + name;
  }

  public static void dropDatabase(String url) {
    String name = url.substring(url.lastIndexOf('/') + 1);
    try {
      execute(adminPgUrl(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (RuntimeException ignored) {
      // best effort: a leftover test database is harmless
    }
  }

  public static synchronized String redisUrl() {
    if (redisUrl == null) {
      redisUrl = findRedis();
    }
    return redisUrl;
  }

  /**
   * How a test app reaches Redis: {@code data.redis.url} of the server above, unless a test class
   * switched to a topology ({@link OnRedisTopology}: a Redis Cluster or Sentinel spawned for the run).
   */
  public static Map<String, String> redisOverrides() {
    Map<String, String> topology = redisTopology;
    return topology != null ? topology : Map.of("data.redis.url", redisUrl());
  }

  static void useRedisTopology(Map<String, String> overrides) {
    redisTopology = Map.copyOf(overrides);
  }

  static void useStandaloneRedis() {
    redisTopology = null;
  }

  /** A key prefix no other test class uses, so classes never see each other's keys. */
  public static String freshKeyPrefix(String hint) {
    return "xrtest:" + hint + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  public static String describe() {
    adminPgUrl();
    redisUrl();
    return "PostgreSQL from " + pgSource + ", Redis from " + redisSource;
  }

  private static synchronized String adminPgUrl() {
    if (adminPgUrl == null) {
      adminPgUrl = findPostgres();
    }
    return adminPgUrl;
  }

  private static String findPostgres() {
    String fromEnv = System.getenv("XREDLINE_TEST_PG_URL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      pgSource = "XREDLINE_TEST_PG_URL";
      return fromEnv;
    }
    if (listening(5432)) {
      pgSource = "127.0.0.1:5432";
      return "postgresql://postgres@127.0.0.1:5432/postgres";
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> pg = new PostgreSQLContainer<>("postgres:17-alpine");
      pg.start();
      pgSource = "Testcontainers";
      return "postgresql://" + pg.getUsername() + ":" + pg.getPassword() + "@" + pg.getHost() + ":"
          + pg.getMappedPort(5432) + "/" + pg.getDatabaseName();
    }
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(Files.createTempDirectory("xredline-test-pg"))
          .setCleanDataDirectory(true).start();
      pgSource = "embedded PostgreSQL";
      return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
    } catch (IOException e) {
      throw new UncheckedIOException("no PostgreSQL for tests: none configured, none on 5432, no Docker, embedded failed", e);
    }
  }

  private static String findRedis() {
    String fromEnv = System.getenv("XREDLINE_TEST_REDIS_URL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      redisSource = "XREDLINE_TEST_REDIS_URL";
      return fromEnv;
    }
    if (listening(6379)) {
      redisSource = "127.0.0.1:6379";
      return "redis://127.0.0.1:6379/0";
    }
    if (dockerAvailable()) {
      GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      redis.start();
      redisSource = "Testcontainers";
      return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379) + "/0";
    }
    try {
      int port = freePort();
      RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
      server.start();
      redisSource = "embedded Redis";
      return "redis://127.0.0.1:" + port + "/0";
    } catch (IOException e) {
      throw new UncheckedIOException("no Redis for tests", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | NoClassDefFoundError e) {
      return false;
    }
  }

  static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Ports handed out in this JVM: the kernel may give a just-closed port to the next bind(0). */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A port free now and never returned before in this JVM. Two picks for one app (its HTTP and
   * gRPC ports) once got the same port, and Vert.x then shared one listener between both servers.
   */
  public static int freePort() {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static void execute(String url, String sql) {
    io.xredline.data.PgUrls.Jdbc jdbc = io.xredline.data.PgUrls.jdbc(url);
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.properties()); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public static long count(String url, String sql) {
    io.xredline.data.PgUrls.Jdbc jdbc = io.xredline.data.PgUrls.jdbc(url);
    try (Connection c = DriverManager.getConnection(jdbc.url(), jdbc.properties()); Statement s = c.createStatement();
         var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
