package io.xredline.data;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.xredline.config.AppConfig;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code rediss://} against a real redis-server speaking TLS only, with a self-signed certificate
 * for {@code localhost}: trusted through {@code data.redis.tls.trust_file}, refused without it, and
 * refused under another name unless hostname verification is switched off.
 */
@DisplayName("Redis over TLS: rediss:// endpoints, the configured CA, hostname verification")
class RedisTlsTest {
  private static final String PASSWORD = "tls-test-pw";
  private static Path dir;
  private static Process server;
  private static int port;
  private static Vertx vertx;

  @BeforeAll
  static void startTlsRedis() throws Exception {
    dir = Files.createTempDirectory("xredline-redis-tls");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost").redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
    port = TestBackends.freePort();
    server = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", String.valueOf(port), "--bind", "127.0.0.1", "-::1",
        "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(),
        "--tls-auth-clients", "no", "--requirepass", PASSWORD, "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
    Eventually.await("redis-server listens on its TLS port", RedisTlsTest::listening);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws IOException {
    if (vertx != null) {
      vertx.close();
    }
    if (server != null) {
      server.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static AppConfig.Redis config(String url, String... more) {
    Map<String, String> o = new HashMap<>(Map.of("data.redis.url", url));
    for (int i = 0; i + 1 < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return TestApp.config(o).data().redis();
  }

  private static String ping(AppConfig.Redis config) throws Exception {
    Redis redis = RedisClients.client(vertx, config, config.url());
    try {
      return redis.send(Request.cmd(Command.PING)).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS)
          .toString();
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("a rediss:// URL with the certificate's CA as trust_file connects and authenticates")
  void trustedCertificate() throws Exception {
    assertThat(ping(config("rediss://:" + PASSWORD + "@localhost:" + port, "data.redis.tls.trust_file",
        dir.resolve("cert.pem").toString()))).isEqualTo("PONG");
  }

  @Test
  @DisplayName("without trust_file the JVM's trust store does not know the self-signed certificate: refused")
  void untrustedCertificate() {
    assertThatThrownBy(() -> ping(config("rediss://:" + PASSWORD + "@localhost:" + port)));
  }

  @Test
  @DisplayName("a certificate for localhost reached as 127.0.0.1 is refused, unless verify_hostname is false")
  void hostnameVerification() throws Exception {
    String byIp = "rediss://:" + PASSWORD + "@127.0.0.1:" + port;
    String ca = dir.resolve("cert.pem").toString();
    assertThatThrownBy(() -> ping(config(byIp, "data.redis.tls.trust_file", ca)));
    assertThat(ping(config(byIp, "data.redis.tls.trust_file", ca, "data.redis.tls.verify_hostname", "false")))
        .isEqualTo("PONG");
  }

  @Test
  @DisplayName("a plain redis:// URL to the TLS port gets no answer it can use")
  void plainToTlsPort() {
    assertThatThrownBy(() -> ping(config("redis://:" + PASSWORD + "@localhost:" + port)));
  }
}
