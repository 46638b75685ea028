package io.xredline.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.xredline.config.AppConfig;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Failures no shipped route produces on purpose, on the real {@link ApiRouter}: a crash and a hang. */
@DisplayName("The shared router turns crashes into 500 INTERNAL and slow requests into 503, without internals")
class RouterFailuresTest {
  private static Vertx vertx;
  private static HttpServer server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    AppConfig config = TestApp.config(Map.of("server.http.timeout", "300ms",
        "data.database.url", "postgresql://unused@127.0.0.1:1/none", "data.redis.url", "redis://127.0.0.1:1"));
    vertx = Vertx.vertx();
    Router router = ApiRouter.create(vertx, config);
    router.get("/boom").handler(ctx -> {
      throw new IllegalStateException("db password is hunter2");
    });
    router.get("/hang").handler(ctx -> {
      // never answers: the per-request timeout must
    });
    port = TestBackends.freePort();
    server = vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  @DisplayName("an exception in a handler → 500 INTERNAL with no message or stack trace from inside")
  void unexpectedFailure() {
    var response = TestApp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/boom")).build());
    HttpBasicsTest.assertEnvelope(response, 500, "INTERNAL");
    assertThat(response.body()).doesNotContain("hunter2").doesNotContain("IllegalStateException");
  }

  @Test
  @DisplayName("a request slower than server.http.timeout → 503 SERVICE_UNAVAILABLE")
  void timeout() {
    long begin = System.nanoTime();
    var response = TestApp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hang"))
        .timeout(java.time.Duration.ofSeconds(20)).build());
    HttpBasicsTest.assertEnvelope(response, 503, "SERVICE_UNAVAILABLE");
    // the timer starts once the router has the request, which is after begin: never sooner than 300ms
    assertThat((System.nanoTime() - begin) / 1_000_000).as("answered by the timeout, not before").isGreaterThanOrEqualTo(300L);
  }
}
