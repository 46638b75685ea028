package io.xredline.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.xredline.config.AppConfig;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The browser frontend is served next to the API without ever hiding an API error")
class FrontendRoutesTest {
  private static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  private static final String INDEX = "<div id=\"app\">frontend from a directory</div>";

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("from server.http.frontend_dir, in the running service")
  class FromDirectory {
    private Path dir;
    private TestApp app;

    @BeforeAll
    void start() throws Exception {
      dir = Files.createTempDirectory("xredline-frontend");
      Files.createDirectories(dir.resolve("assets"));
      Files.writeString(dir.resolve("index.html"), "<!doctype html><title>x</title>" + INDEX);
      Files.writeString(dir.resolve("assets/index-5f3a9c.js"), "console.log('app');");
      Files.writeString(dir.resolve("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
      app = TestApp.start("frontend", Map.of("server.http.frontend_dir", dir.toString()));
    }

    @AfterAll
    void stop() throws Exception {
      app.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }

    @Test
    @DisplayName("/ is index.html, revalidated on every load, with the security headers")
    void root() {
      var response = app.get("/", "Accept", HTML);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains(INDEX);
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/html"));
      assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
      assertThat(response.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
          assertThat(csp).contains("default-src 'self'"));
      assertThat(response.headers().firstValue("X-Request-ID")).isPresent();
    }

    @Test
    @DisplayName("hashed assets/* are cached for a year as immutable; other files are revalidated")
    void assets() {
      var js = app.get("/assets/index-5f3a9c.js");
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.body()).isEqualTo("console.log('app');");
      assertThat(js.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).contains("javascript"));
      assertThat(js.headers().firstValue("cache-control")).hasValue(FrontendRoutes.IMMUTABLE);

      var icon = app.get("/favicon.svg");
      assertThat(icon.statusCode()).isEqualTo(200);
      assertThat(icon.headers().firstValue("cache-control")).hasValue("no-cache");
    }

    @Test
    @DisplayName("a page URL the app routes itself (/some/page, Accept text/html) gets index.html")
    void pageFallback() {
      for (String path : List.of("/some/page", "/me", "/sign-in?next=/me", "/healthy-looking-page")) {
        var response = app.get(path, "Accept", HTML);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.body()).as(path).contains(INDEX);
        assertThat(response.headers().firstValue("cache-control")).as(path).hasValue("no-cache");
      }
      var head = TestApp.send(HttpRequest.newBuilder(app.uri("/some/page")).header("Accept", HTML)
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(head.statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("/api/v1/nope stays the JSON 404 envelope, even for a browser asking for HTML")
    void apiStaysJson() {
      HttpBasicsTest.assertEnvelope(app.get("/api/v1/nope", "Accept", HTML), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/api/v1/nope"), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/api", "Accept", HTML), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/metrics/nope", "Accept", HTML), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/.well-known/openid-configuration", "Accept", HTML), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/helloworld/a/b", "Accept", HTML), 404, "NOT_FOUND");
    }

    @Test
    @DisplayName("health and the greeter answer JSON as before when a browser opens them")
    void apiRoutesUntouched() {
      var live = app.get("/healthz/live", "Accept", HTML);
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(TestApp.json(live).getString("status")).isEqualTo("UP");
      var hello = app.get("/helloworld/browser", "Accept", HTML);
      assertThat(TestApp.json(hello).getString("message")).isEqualTo("Hello browser");
    }

    @Test
    @DisplayName("no index.html for clients that do not want HTML, for missing assets, or for writes")
    void notPages() {
      HttpBasicsTest.assertEnvelope(app.get("/some/page", "Accept", "application/json"), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/some/page"), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.get("/assets/index-000000.js", "Accept", HTML), 404, "NOT_FOUND");
      HttpBasicsTest.assertEnvelope(app.post("/some/page", "application/json", "{}", "Accept", HTML), 404, "NOT_FOUND");
      var delete = TestApp.send(HttpRequest.newBuilder(app.uri("/helloworld/bob"))
          .method("DELETE", HttpRequest.BodyPublishers.noBody()).build());
      HttpBasicsTest.assertEnvelope(delete, 405, "METHOD_NOT_ALLOWED");
      HttpBasicsTest.assertEnvelope(app.post("/helloworld", "text/plain", "name=bob", "Accept", HTML), 415,
          "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    @DisplayName("a path that climbs out of the directory serves nothing from outside it")
    void traversal() throws Exception {
      Files.writeString(dir.getParent().resolve("xredline-secret.txt"), "secret");
      try {
        for (String path : List.of("/../xredline-secret.txt", "/%2e%2e/xredline-secret.txt", "/assets/..%2f..%2fxredline-secret.txt")) {
          HttpResponse<String> response = app.get(path);
          assertThat(response.body()).as(path).doesNotContain("secret\n").isNotEqualTo("secret");
        }
      } finally {
        Files.deleteIfExists(dir.getParent().resolve("xredline-secret.txt"));
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("from the classpath, as the fat jar ships it")
  class FromClasspath {
    private Vertx vertx;
    private int port;

    @BeforeAll
    void start() throws Exception {
      AppConfig config = TestApp.config(Map.of(
          "data.database.url", "postgresql://unused@127.0.0.1:1/none", "data.redis.url", "redis://127.0.0.1:1"));
      vertx = Vertx.vertx();
      Router router = ApiRouter.create(vertx, config);
      FrontendRoutes.fromClasspath("frontend-fixture", List.of("/api")).orElseThrow().mount(router);
      port = TestBackends.freePort();
      vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() {
      vertx.close();
    }

    private HttpResponse<String> get(String path, String accept) {
      return TestApp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", accept).build());
    }

    @Test
    @DisplayName("index.html, hashed assets and the page fallback come from the jar's resources")
    void serves() {
      var root = get("/", HTML);
      assertThat(root.statusCode()).isEqualTo(200);
      assertThat(root.body()).contains("frontend fixture");
      assertThat(root.headers().firstValue("cache-control")).hasValue("no-cache");
      var js = get("/assets/app-1a2b3c.js", "*/*");
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.headers().firstValue("cache-control")).hasValue(FrontendRoutes.IMMUTABLE);
      assertThat(get("/totp", HTML).body()).contains("frontend fixture");
      HttpBasicsTest.assertEnvelope(get("/api/v1/nope", HTML), 404, "NOT_FOUND");
    }

    @Test
    @DisplayName("a jar built without the frontend serves the API only")
    void absent() {
      assertThat(FrontendRoutes.fromClasspath("no-such-webroot", List.of())).isEmpty();
    }
  }
}
