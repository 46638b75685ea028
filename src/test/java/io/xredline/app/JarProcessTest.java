package io.xredline.app;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.xredline.api.helloworld.v1.HelloReply;
import io.xredline.api.helloworld.v1.HelloRequest;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The fat jar as an operator runs it: flags, exit codes, embedded defaults, migrations, SIGTERM. */
@Tag("e2e")
@DisplayName("java -jar xredline.jar")
// each test spawns the jar (one runs initdb for the embedded PostgreSQL twice): JVM start-ups on a
// loaded two-core machine take far longer than the 30 s default
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JarProcessTest {
  private static final Duration READY = Duration.ofSeconds(90);

  @Test
  @DisplayName("--help prints the usage and exits 0; an unknown flag exits 2")
  void help(@TempDir Path dir) throws Exception {
    try (ServiceProcess p = ServiceProcess.start(dir.resolve("a"), Map.of(), "--help")) {
      assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
      assertThat(p.stdout()).contains("Usage: java -jar xredline.jar", "--conf FILE", "--env NAME");
    }
    try (ServiceProcess p = ServiceProcess.start(dir.resolve("b"), Map.of(), "--bogus")) {
      assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(p.stderr()).contains("unknown argument: --bogus");
    }
  }

  @Test
  @DisplayName("invalid configuration exits 2 before listening, one masked line per problem")
  void invalidConfig(@TempDir Path dir) throws Exception {
    String secret = "short-secret-value";
    try (ServiceProcess p = ServiceProcess.start(dir, Map.of(
        "XREDLINE_ENV", "prod",
        "XREDLINE_SERVER__HTTP__PORT", "70000",
        "XREDLINE_SERVER__HTTP__TIMEOUT", "soon",
        "JWT_SECRET_KEY", secret,
        "DATABASE_URL", "postgresql://app:dbpass@db:5432/app?sslmode=disable",
        "REDIS_URL", "redis://redis:6379/0"))) {
      assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      String err = p.stderr();
      assertThat(err).contains(
          "server.http.port: must be between 0 and 65535 (got 70000)",
          "server.http.timeout: not a duration (use 250ms, 30s, 15m, 24h, 7d or PT15M) (got \"soon\")",
          "auth.jwt.secret_key: must be at least 32 characters in prod (got \"****\" (18 characters))",
          "data.database.url: uses sslmode=disable; use TLS or set data.database.allow_insecure: true (got \"postgresql://app:****@db:5432/app?sslmode=disable\")",
          "data.redis.url: must carry a password in prod");
      assertThat(err + p.stdout()).doesNotContain(secret).doesNotContain("dbpass");
    }
  }

  @Test
  @DisplayName("prod refuses the embedded PostgreSQL and Redis with a clear message")
  void prodRefusesEmbedded(@TempDir Path dir) throws Exception {
    try (ServiceProcess p = ServiceProcess.start(dir, Map.of("XREDLINE_ENV", "prod",
        "JWT_SECRET_KEY", "a-long-enough-production-secret-0123456789"))) {
      assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(p.stderr()).contains("data.database.url: is required in prod (the embedded PostgreSQL is for dev/test)",
          "data.redis.url: is required in prod (the embedded Redis is for dev/test)");
    }
  }

  @Test
  @DisplayName("a failed migration stops start-up with a clear message and a non-zero exit")
  void failedMigration(@TempDir Path dir) throws Exception {
    String db = TestBackends.freshDatabase("badmigration");
    TestBackends.execute(db, "CREATE TABLE users (id int)");
    try (ServiceProcess p = ServiceProcess.start(dir, Map.of(
        "XREDLINE_DATA__DATABASE__URL", db, "XREDLINE_DATA__REDIS__URL", TestBackends.redisUrl()))) {
      assertThat(p.awaitExit(Duration.ofSeconds(60))).isNotZero();
      assertThat(p.stdout()).contains("start-up failed: database migration failed");
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  @Test
  @DisplayName("with no configuration, from any folder: embedded PostgreSQL + Redis, data kept between runs, all stopped on SIGTERM")
  void embeddedDefaults(@TempDir Path home) throws Exception {
    Map<String, String> env = Map.of("HOME", home.toString());
    long firstReady;
    long secondReady;
    try (ServiceProcess first = ServiceProcess.start(home.resolve("somewhere"), env)) {
      firstReady = first.awaitReady(READY);
      String out = first.stdout();
      assertThat(out).contains("xredline starting: env=dev", "database: embedded PostgreSQL", "cache: embedded Redis",
          "HTTP listening on http://127.0.0.1:" + first.http(), "gRPC listening on 127.0.0.1:" + first.grpc());
      assertThat(first.get("/helloworld/persisted").statusCode()).isEqualTo(200);
      int pgPort = embeddedPort(out, "postgresql://postgres@127.0.0.1:");
      int redisPort = embeddedPort(out, "redis://127.0.0.1:");
      first.sigterm();
      assertThat(first.awaitExit(Duration.ofSeconds(40))).isZero();
      assertThat(listening(pgPort)).as("embedded PostgreSQL stopped").isFalse();
      assertThat(listening(redisPort)).as("embedded Redis stopped").isFalse();
    }
    assertThat(home.resolve(".xredline/pgdata/PG_VERSION")).exists();
    try (ServiceProcess second = ServiceProcess.start(home.resolve("elsewhere"), env)) {
      secondReady = second.awaitReady(READY);
      String out = second.stdout();
      assertThat(out).contains("migrations: 0 applied");
      String db = "postgresql://postgres@127.0.0.1:" + embeddedPort(out, "postgresql://postgres@127.0.0.1:") + "/postgres";
      assertThat(TestBackends.count(db, "SELECT count(*) FROM greetings WHERE name = 'persisted'")).isEqualTo(1);
      second.sigterm();
      assertThat(second.awaitExit(Duration.ofSeconds(40))).isZero();
    }
    System.out.printf("embedded defaults: first start ready in %d ms, second in %d ms%n", firstReady, secondReady);
  }

  @Test
  @DisplayName("SIGTERM during start-up: the start finishes, the service drains and exits 0 (not 143)")
  void sigtermWhileStarting(@TempDir Path dir) throws Exception {
    String db = TestBackends.freshDatabase("termstart");
    try (ServiceProcess p = ServiceProcess.start(dir, Map.of(
        "XREDLINE_DATA__DATABASE__URL", db,
        "XREDLINE_DATA__REDIS__URL", TestBackends.redisUrl()))) {
      // logged by Application.start, which runs after Main installed its handlers: the signal
      // below lands inside the start-up, before readiness
      Eventually.within(READY, "the start-up line", () -> p.stdout().contains("xredline starting"));
      p.sigterm();
      assertThat(p.awaitExit(Duration.ofSeconds(90))).as(p.stdout()).isZero();
      assertThat(p.stdout()).contains("\"stopped\"");
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  @Test
  @DisplayName("SIGTERM: readiness DOWN first, in-flight HTTP and gRPC requests finish, then exit 0")
  void gracefulDrain(@TempDir Path dir) throws Exception {
    String db = TestBackends.freshDatabase("drain");
    Vertx vertx = Vertx.vertx();
    try (ServiceProcess p = ServiceProcess.start(dir, Map.of(
        "XREDLINE_DATA__DATABASE__URL", db,
        "XREDLINE_DATA__REDIS__URL", TestBackends.redisUrl(),
        "XREDLINE_SERVER__SHUTDOWN_DELAY", "5s",
        "XREDLINE_SERVER__SHUTDOWN_TIMEOUT", "20s"))) {
      long ready = p.awaitReady(READY);
      System.out.printf("local PostgreSQL/Redis: ready in %d ms%n", ready);

      // both requests stay half-sent until the test lets them finish, so they are in flight at
      // SIGTERM however fast or slow the machine is
      try (HalfSentPost http = HalfSentPost.open(p.http(), "drained-http")) {
        CompletableFuture<Void> finishGrpc = new CompletableFuture<>();
        CompletableFuture<HelloReply> grpc = halfSentGrpc(vertx, p.grpc(), "drained-grpc", finishGrpc);
        Eventually.value("both requests in flight at the server", () -> activeRequests(p),
            lines -> activePosts(lines) >= 2);

        p.sigterm();
        Eventually.await("readiness DOWN during the shutdown delay", () -> {
          int status = p.status("/healthz/ready");
          assertThat(status).as("readiness answered 503 before the listener closed").isNotEqualTo(-1);
          return status == 503;
        });
        assertThat(p.status("/healthz/live")).isIn(200, -1);

        finishGrpc.complete(null);
        assertThat(http.finish()).startsWith("HTTP/1.1 200").contains("Hello drained-http");
        assertThat(grpc.get(20, TimeUnit.SECONDS).getMessage()).isEqualTo("Hello drained-grpc");
      }
      assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
      assertThat(p.stdout()).contains("shutting down: readiness DOWN", "\"stopped\"");
      assertThat(TestBackends.count(db, "SELECT count(*) FROM greetings WHERE name LIKE 'drained-%'")).isEqualTo(2);
    } finally {
      vertx.close();
      TestBackends.dropDatabase(db);
    }
  }

  /** The server's own gauge of requests begun and not yet answered. */
  private static List<String> activeRequests(ServiceProcess p) {
    return p.get("/metrics").body().lines().filter(l -> l.startsWith("vertx_http_server_active_requests{")).toList();
  }

  private static double activePosts(List<String> gauge) {
    return gauge.stream().filter(l -> l.contains("method=\"POST\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** A POST sent up to the middle of its body; {@link #finish} sends the rest and reads the answer. */
  private static final class HalfSentPost implements AutoCloseable {
    private final Socket socket;
    private final byte[] rest;

    private HalfSentPost(Socket socket, byte[] rest) {
      this.socket = socket;
      this.rest = rest;
    }

    static HalfSentPost open(int port, String name) throws java.io.IOException {
      byte[] body = ("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /helloworld HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      int half = body.length / 2;
      out.write(body, 0, half);
      out.flush();
      return new HalfSentPost(socket, java.util.Arrays.copyOfRange(body, half, body.length));
    }

    String finish() throws java.io.IOException {
      OutputStream out = socket.getOutputStream();
      out.write(rest);
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  /** A unary gRPC call whose message is sent only once {@code send} completes: in flight across SIGTERM. */
  private static CompletableFuture<HelloReply> halfSentGrpc(Vertx vertx, int port, String name, CompletableFuture<Void> send) {
    var client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    byte[] message = HelloRequest.newBuilder().setName(name).build().toByteArray();
    Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/helloworld.v1.Greeter/SayHello"))
        .compose(req -> {
          req.putHeader("content-type", "application/grpc").putHeader("te", "trailers");
          return req.sendHead().compose(v -> {
            send.thenRun(() -> req.end(frame));
            return req.response();
          });
        })
        .compose(HttpClientResponse::body)
        .map(body -> {
          try {
            return HelloReply.parseFrom(body.getBytes(5, body.length()));
          } catch (Exception e) {
            throw new IllegalStateException("bad gRPC reply (" + body.length() + " bytes)", e);
          }
        })
        .toCompletionStage().toCompletableFuture();
  }

  private static int embeddedPort(String out, String prefix) {
    int i = out.indexOf(prefix);
    assertThat(i).as(prefix + " in the start-up lines").isPositive();
    int start = i + prefix.length();
    int end = start;
    while (end < out.length() && Character.isDigit(out.charAt(end))) {
      end++;
    }
    return Integer.parseInt(out.substring(start, end));
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

}
