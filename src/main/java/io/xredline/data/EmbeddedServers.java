package io.xredline.data;

import io.xredline.config.AppConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * The zero-configuration default: a real PostgreSQL (data kept between runs) and a real Redis on
 * free loopback ports, started only for the backends whose URL is unset, from the binaries the
 * jar carries for this machine ({@link EmbeddedBinaries}). Blocking; call it off the event loop.
 */
public final class EmbeddedServers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

  private final EmbeddedBinaries binaries;
  private EmbeddedPostgres postgres;
  private RedisServer redis;
  private Path redisDir;

  public EmbeddedServers() {
    this(EmbeddedBinaries.forThisMachine());
  }

  EmbeddedServers(EmbeddedBinaries binaries) {
    this.binaries = binaries;
  }

  /**
   * @throws EmbeddedBinaries.Unavailable before anything starts, when a server is needed and this
   *     jar has no binary for this machine
   */
  public Backends start(AppConfig.Data data) {
    boolean needPostgres = data.database().embedded();
    boolean needRedis = data.redis().embedded();
    EmbeddedBinaries.Selection selected = needPostgres || needRedis ? binaries.select(needPostgres, needRedis) : null;
    String dbUrl = data.database().url();
    String dbLabel = "PostgreSQL " + io.xredline.config.Secrets.maskUrl(dbUrl);
    if (needPostgres) {
      dbUrl = startPostgres(data.database(), selected.postgres().orElseThrow());
      dbLabel = "embedded PostgreSQL " + dbUrl + " (data in " + data.database().embeddedDataDir() + ")";
    }
    String redisUrl = data.redis().url();
    String redisLabel = RedisClients.label(data.redis(), redisUrl);
    if (needRedis) {
      redisUrl = startRedis(selected.redis().orElseThrow());
      redisLabel = "embedded Redis " + redisUrl;
    }
    return new Backends(dbUrl, dbLabel, redisUrl, redisLabel);
  }

  private String startPostgres(AppConfig.Database config, URL archive) {
    try {
      Files.createDirectories(config.embeddedDataDir());
      postgres = EmbeddedPostgres.builder()
          .setPgBinaryResolver(new PostgresArchive(archive))
          .setDataDirectory(config.embeddedDataDir())
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPort(freePort())
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("listen_addresses", "127.0.0.1")
          .start();
      return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + config.embeddedDataDir()
          + " (is another xredline using it?): " + e.getMessage(), e);
    }
  }

  /**
   * Started from the executable chosen here rather than through embedded-redis's builder, whose
   * own detection runs {@code uname -m} and can disagree with os.arch (or fail without uname).
   */
  private String startRedis(URL executable) {
    try {
      int port = freePort();
      Path exe = extract(executable);
      redis = new RedisServer(port, List.of(exe.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no"), true);
      redis.start();
      return "redis://127.0.0.1:" + port + "/0";
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start: " + e.getMessage(), e);
    }
  }

  /** A private copy per run: the executable keeps its file name (Windows needs the .exe). */
  private Path extract(URL executable) throws IOException {
    redisDir = Files.createTempDirectory("xredline-redis-");
    String path = executable.getPath();
    Path exe = redisDir.resolve(path.substring(path.lastIndexOf('/') + 1));
    try (InputStream in = executable.openStream()) {
      Files.copy(in, exe, StandardCopyOption.REPLACE_EXISTING);
    }
    if (!exe.toFile().setExecutable(true, true)) {
      throw new IOException("cannot make " + exe + " executable");
    }
    return exe;
  }

  /**
   * Hands zonky the archive chosen here. A record of the URL's text (URL.equals may resolve host
   * names), because zonky caches extracted binaries per resolver by equality: a second start in
   * the same JVM reuses the first extraction.
   */
  record PostgresArchive(String location) implements PgBinaryResolver {
    PostgresArchive(URL archive) {
      this(archive.toExternalForm());
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      return URI.create(location).toURL().openStream();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (redis != null) {
      stopQuietly("Redis", redis::stop);
      redis = null;
    }
    if (redisDir != null) {
      deleteQuietly(redisDir);
      redisDir = null;
    }
    if (postgres != null) {
      stopQuietly("PostgreSQL", postgres::close);
      postgres = null;
    }
  }

  private interface Stop {
    void run() throws IOException;
  }

  private static void stopQuietly(String what, Stop stop) {
    try {
      stop.run();
    } catch (IOException e) {
      LOG.warn("embedded {} did not stop cleanly: {}", what, e.getMessage());
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.getMessage());
    }
  }
}
