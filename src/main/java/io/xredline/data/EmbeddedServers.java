package io.xredline.data;

import io.xredline.config.AppConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The zero-configuration default: a real PostgreSQL (data kept between runs) and a real Redis on
 * free loopback ports, started only for the backends whose URL is unset. Blocking; call it off
 * the event loop.
 */
public final class EmbeddedServers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

  private EmbeddedPostgres postgres;
  private RedisServer redis;

  public Backends start(AppConfig.Data data) {
    String dbUrl = data.database().url();
    String dbLabel = "PostgreSQL " + io.xredline.config.Secrets.maskUrl(dbUrl);
    if (data.database().embedded()) {
      dbUrl = startPostgres(data.database());
      dbLabel = "embedded PostgreSQL " + dbUrl + " (data in " + data.database().embeddedDataDir() + ")";
    }
    String redisUrl = data.redis().url();
    String redisLabel = Cache.label(data.redis(), redisUrl);
    if (data.redis().embedded()) {
      redisUrl = startRedis();
      redisLabel = "embedded Redis " + redisUrl;
    }
    return new Backends(dbUrl, dbLabel, redisUrl, redisLabel);
  }

  private String startPostgres(AppConfig.Database config) {
    try {
      Files.createDirectories(config.embeddedDataDir());
      postgres = EmbeddedPostgres.builder()
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

  private String startRedis() {
    try {
      int port = freePort();
      redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
          .setting("save \"\"").setting("appendonly no").onShutdownForceStop(true).build();
      redis.start();
      return "redis://127.0.0.1:" + port + "/0";
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start: " + e.getMessage(), e);
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
      try {
        redis.stop();
      } catch (IOException e) {
        LOG.warn("embedded Redis did not stop cleanly: {}", e.getMessage());
      }
      redis = null;
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
      postgres = null;
    }
  }
}
