package io.xredline.http;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Every error the router can produce is the contract envelope; request ids, security headers and CORS")
class HttpBasicsTest {
  private static final String ALLOWED = "https://app.example.com";
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("httpbasics", Map.of(
        "server.http.max_body_size", "4KB",
        "security.cors.allowed_origins", ALLOWED));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void assertEnvelope(HttpResponse<String> response, int status, String reason) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonObject body = TestApp.json(response);
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("code", "reason", "message", "metadata", "request_id");
    assertThat(body.getInteger("code")).isEqualTo(status);
    assertThat(body.getString("reason")).isEqualTo(reason);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("request_id")).isEqualTo(response.headers().firstValue("X-Request-ID").orElseThrow());
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("unknown route → 404 NOT_FOUND")
  void notFound() {
    assertEnvelope(app.get("/no/such/route"), 404, "NOT_FOUND");
  }

  @Test
  @DisplayName("wrong method on a known route → 405 METHOD_NOT_ALLOWED")
  void methodNotAllowed() {
    var response = TestApp.send(HttpRequest.newBuilder(app.uri("/helloworld/bob"))
        .method("DELETE", HttpRequest.BodyPublishers.noBody()).build());
    assertEnvelope(response, 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  @DisplayName("a body over server.http.max_body_size → 413 PAYLOAD_TOO_LARGE")
  void payloadTooLarge() {
    String big = "{\"name\":\"" + "a".repeat(5000) + "\"}";
    assertEnvelope(app.post("/helloworld", "application/json", big), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  @DisplayName("a body just under the limit is accepted")
  void bodyUnderLimit() {
    String name = "a".repeat(50);
    var response = app.post("/helloworld", "application/json", "{\"name\":\"" + name + "\"}");
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a non-JSON content type → 415 UNSUPPORTED_MEDIA_TYPE; none at all too")
  void unsupportedMediaType() {
    assertEnvelope(app.post("/helloworld", "text/plain", "name=bob"), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertEnvelope(app.post("/helloworld", null, "{\"name\":\"bob\"}"), 415, "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  @DisplayName("malformed JSON, a JSON array, an empty body and a wrong-typed field → 400 with a reason")
  void badBodies() {
    assertEnvelope(app.post("/helloworld", "application/json", "{\"name\":"), 400, "BAD_REQUEST");
    assertEnvelope(app.post("/helloworld", "application/json", "[1,2]"), 400, "BAD_REQUEST");
    assertEnvelope(app.post("/helloworld", "application/json", ""), 400, "BAD_REQUEST");
    var wrongType = app.post("/helloworld", "application/json", "{\"name\":{\"$gt\":\"\"}}");
    assertEnvelope(wrongType, 400, "VALIDATION_FAILED");
    assertThat(TestApp.json(wrongType).getJsonObject("metadata").getString("field")).isEqualTo("name");
  }

  @Test
  @DisplayName("a sane X-Request-ID is echoed; an insane one is replaced by a generated id")
  void requestIds() {
    assertThat(app.get("/healthz/live", "X-Request-ID", "abc-123.x:y").headers().firstValue("X-Request-ID"))
        .hasValue("abc-123.x:y");
    var replaced = app.get("/no/such", "X-Request-ID", "bad id with spaces <script>");
    String generated = replaced.headers().firstValue("X-Request-ID").orElseThrow();
    assertThat(generated).matches("[0-9a-f-]{36}");
    assertThat(TestApp.json(replaced).getString("request_id")).isEqualTo(generated);
    assertThat(app.get("/helloworld/x").headers().firstValue("X-Request-ID")).isPresent();
  }

  @Test
  @DisplayName("security headers from config are on every response; no HSTS without TLS")
  void securityHeaders() {
    for (var response : new HttpResponse<?>[] {app.get("/helloworld/h"), app.get("/nowhere")}) {
      assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("strict-origin-when-cross-origin");
      assertThat(response.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
          assertThat(csp).contains("default-src 'self'").contains("base-uri 'none'").contains("form-action 'self'")
              .contains("frame-ancestors 'none'"));
      assertThat(response.headers().firstValue("Strict-Transport-Security")).isEmpty();
    }
  }

  @Test
  @DisplayName("CORS: an allowed origin gets its own origin back, preflight included")
  void corsAllowed() {
    var simple = app.get("/helloworld/cors", "Origin", ALLOWED);
    assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED);
    var preflight = TestApp.send(HttpRequest.newBuilder(app.uri("/helloworld"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", ALLOWED)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "Content-Type").build());
    assertThat(preflight.statusCode()).isBetween(200, 204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(m -> assertThat(m).contains("POST"));
  }

  @Test
  @DisplayName("CORS: any other origin is never echoed back")
  void corsDenied() {
    var simple = app.get("/helloworld/cors", "Origin", "https://evil.example.net");
    assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    var preflight = TestApp.send(HttpRequest.newBuilder(app.uri("/helloworld"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://evil.example.net")
        .header("Access-Control-Request-Method", "POST").build());
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(preflight.statusCode()).isEqualTo(403);
    assertEnvelope(preflight, 403, "FORBIDDEN");
  }

  @Test
  @DisplayName("a URL with odd bytes gets a clean 400 envelope (invalid UTF-8 / NUL), a traversal attempt a 404, never a 500")
  void hostilePaths() {
    assertEnvelope(app.get("/%00%ff/..%2f..%2fetc/passwd"), 400, "BAD_REQUEST");
    assertEnvelope(app.get("/..%2f..%2fetc/passwd"), 404, "NOT_FOUND");
    var longPath = app.get("/" + "a".repeat(3000));
    assertThat(longPath.statusCode()).isEqualTo(404);
    assertThat(TestApp.json(longPath).getString("message").length()).isLessThan(300);
  }

  @Test
  @DisplayName("the greeter over HTTP/1.1 keep-alive answers many requests on one connection")
  void keepAlive() {
    for (int i = 0; i < 20; i++) {
      var response = TestApp.send(HttpRequest.newBuilder(app.uri("/helloworld/k" + i)).timeout(Duration.ofSeconds(20)).build());
      assertThat(response.statusCode()).isEqualTo(200);
    }
  }
}
