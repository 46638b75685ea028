package io.xredline.http;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.RawHttp;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * URLs and header blocks an attacker (or the fuzzer) sends: each gets 400 BAD_REQUEST with the
 * envelope, never a 500. The first two are the issue's own findings; the rest came from attacking
 * the build from outside and from {@code RequestFuzzTest}'s shrunk cases.
 */
@DisplayName("Malformed URLs, query strings and header blocks → 400 BAD_REQUEST with the envelope, never a 5xx")
class MalformedInputTest {
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("malformed", Map.of("auth.captcha.fixed_code", "Q7XK2M"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static RawHttp.Response raw(String head) {
    return RawHttp.send(app.httpPort(), head);
  }

  private static RawHttp.Response raw(byte[] head) {
    return RawHttp.send(app.httpPort(), head, new byte[0]);
  }

  static void assertBadRequest(RawHttp.Response r) {
    assertThat(r.status()).as("status of %s", r.body()).isEqualTo(400);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("reason")).isEqualTo("BAD_REQUEST");
    assertThat(body.getInteger("code")).isEqualTo(400);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("request_id")).isNotBlank().isEqualTo(r.header("x-request-id"));
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.vertx").doesNotContain("java.");
  }

  @Test
  @DisplayName("the issue's findings: a lone % in the query of /helloworld/x and of lock-status → 400, not 500 INTERNAL")
  void issueFindings() {
    assertBadRequest(raw("GET /helloworld/x?captcha_type=% HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/lock-status/x?captcha_type=% HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/captcha?captcha_type=%zz HTTP/1.1"));
  }

  @Test
  @DisplayName("broken percent-encoding and invalid UTF-8 (escaped or raw octets) in the path")
  void paths() {
    assertBadRequest(raw("GET /helloworld/%zz HTTP/1.1"));
    assertBadRequest(raw("GET /helloworld/ab% HTTP/1.1"));
    assertBadRequest(raw("GET /helloworld/%ff%fe HTTP/1.1"));
    assertBadRequest(raw("GET /helloworld/%c0%af HTTP/1.1"));
    assertBadRequest(raw("GET /helloworld/%00 HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/lock-status/%ed%a0%80 HTTP/1.1"));
    byte[] rawOctets = "GET /helloworld/\u00ff\u00fe HTTP/1.1".getBytes(StandardCharsets.ISO_8859_1);
    assertBadRequest(raw(rawOctets));
  }

  @Test
  @DisplayName("a well-formed odd path is still a plain 404, and valid UTF-8 names still greet")
  void wellFormedOddities() {
    RawHttp.Response traversal = raw("GET /..%2f..%2fetc/passwd HTTP/1.1");
    assertThat(traversal.status()).isEqualTo(404);
    assertThat(new JsonObject(traversal.body()).getString("reason")).isEqualTo("NOT_FOUND");
    RawHttp.Response unicode = raw("GET /helloworld/%E4%B8%96%E7%95%8C HTTP/1.1");
    assertThat(unicode.status()).isEqualTo(200);
    assertThat(new JsonObject(unicode.body()).getString("message")).isEqualTo("Hello 世界");
  }

  @Test
  @DisplayName("query strings: invalid UTF-8, control characters, duplicates, too many, too long")
  void queries() {
    assertBadRequest(raw("GET /api/v1/auth/captcha?captcha_type=%ff HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/captcha?captcha_type=image%0d%0aX-Injected:1 HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/captcha?captcha_type=image&captcha_type=sms HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/captcha?" + String.join("&", java.util.stream.IntStream.range(0, 40).mapToObj(i -> "p" + i + "=x").toList()) + " HTTP/1.1"));
    assertBadRequest(raw("GET /api/v1/auth/captcha?target=" + "a".repeat(2000) + " HTTP/1.1"));
    RawHttp.Response fine = raw("GET /api/v1/auth/captcha?captcha_type=image&&x HTTP/1.1");
    assertThat(fine.status()).as("empty pairs and a bare name are well formed").isEqualTo(200);
  }

  @Test
  @DisplayName("a header flood over the 16 KB header limit and a request line over 8 KB → 400 envelope, not a bare 431/414")
  void floods() {
    StringBuilder head = new StringBuilder("GET /helloworld/x HTTP/1.1");
    for (int i = 0; i < 400; i++) {
      head.append("\r\nX-Flood-").append(i).append(": ").append("v".repeat(60));
    }
    RawHttp.Response flood = raw(head.toString());
    assertBadRequest(flood);
    assertThat(new JsonObject(flood.body()).getString("message")).isEqualTo("request headers too large");
    assertThat(flood.header("connection")).isEqualToIgnoringCase("close");
    RawHttp.Response longLine = raw("GET /helloworld/" + "a".repeat(9000) + " HTTP/1.1");
    assertBadRequest(longLine);
    assertThat(new JsonObject(longLine.body()).getString("message")).isEqualTo("request line too long");
    assertBadRequest(raw("GARBAGE"));
  }

  @Test
  @DisplayName("fuzzer finding: a form body on GET → 400 (the body handler threw: 500); a form POST → 415")
  void formBodies() {
    RawHttp.Response get = RawHttp.send(app.httpPort(), "GET /helloworld/A HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded"
        .getBytes(StandardCharsets.ISO_8859_1), "a=b".getBytes(StandardCharsets.UTF_8));
    assertBadRequest(get);
    RawHttp.Response multipart = RawHttp.send(app.httpPort(), "GET /api/v1/auth/me HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x"
        .getBytes(StandardCharsets.ISO_8859_1), "--x--".getBytes(StandardCharsets.UTF_8));
    assertBadRequest(multipart);
    RawHttp.Response post = RawHttp.send(app.httpPort(), "POST /helloworld HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded"
        .getBytes(StandardCharsets.ISO_8859_1), "name=x".getBytes(StandardCharsets.UTF_8));
    assertThat(post.status()).isEqualTo(415);
  }

  @Test
  @DisplayName("a NUL in a login name → 400 VALIDATION_FAILED (PostgreSQL refuses NUL: it used to be a 503)")
  void nulInLoginName() {
    JsonObject body = new JsonObject().put("username", "ali\u0000ce").put("password", "x").put("captcha_id", "a")
        .put("captcha_code", "b");
    var r = app.post("/api/v1/auth/login", "application/json", body.encode());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestApp.json(r).getString("reason")).isEqualTo("VALIDATION_FAILED");
    assertThat(TestApp.json(r).getJsonObject("metadata").getString("field")).isEqualTo("username");
  }

  @Test
  @DisplayName("odd bytes in headers (Authorization, X-Request-ID, Content-Type) are refused by reason, never a 5xx")
  void headers() {
    byte[] auth = "GET /api/v1/auth/me HTTP/1.1\r\nAuthorization: Bearer \u00ff\u00fe.\u0080.x".getBytes(StandardCharsets.ISO_8859_1);
    RawHttp.Response r = raw(auth);
    assertThat(r.status()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("reason")).isIn("TOKEN_INVALID", "INVALID_TOKEN_FORMAT");
    RawHttp.Response id = raw("GET /helloworld/x HTTP/1.1\r\nX-Request-ID: \u00ff<script>");
    assertThat(id.status()).isEqualTo(200);
    assertThat(id.header("x-request-id")).matches("[0-9a-f-]{36}");
    RawHttp.Response type = RawHttp.send(app.httpPort(), "POST /helloworld HTTP/1.1\r\nContent-Type: application/json; charset=\u00ff"
        .getBytes(StandardCharsets.ISO_8859_1), "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(type.status()).isLessThan(500);
  }
}
