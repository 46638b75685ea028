package io.xredline.observability;

import io.vertx.core.json.JsonObject;
import io.xredline.api.helloworld.v1.HelloReply;
import io.xredline.api.helloworld.v1.HelloRequest;
import io.xredline.testing.CapturedLogs;
import io.xredline.testing.Eventually;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.SlowQueries;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The greeter's INSERT is made slow for real ({@link SlowQueries}: a trigger sleeps inside it) so the
 * consumer side of the bus always writes a slow-query line while handling the request: that line
 * must carry the HTTP request's ids.
 */
@DisplayName("Every line written while handling a request carries its request and trace ids, across the bus; one access line per request and per call")
class RequestLogLinesTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static TestApp app;
  private static GrpcCalls grpc;

  @BeforeAll
  static void start() {
    // the frontend is always mounted here (a fixture build), whether or not npm built the real one
    app = TestApp.start("loglines", Map.of("data.database.slow_query_threshold", SlowQueries.THRESHOLD,
        "server.http.frontend_dir", java.nio.file.Path.of("src/test/resources/frontend-fixture").toAbsolutePath().toString()));
    SlowQueries.slowGreetings(app.databaseUrl());
    grpc = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    app.close();
  }

  private static List<JsonObject> await(Supplier<List<JsonObject>> lines, int atLeast) {
    return Eventually.value("at least " + atLeast + " matching log lines", lines, found -> found.size() >= atLeast);
  }

  @Test
  @DisplayName("HTTP: the access line and the greeter's slow-query line (other side of the bus) share request_id and trace_id")
  void httpAcrossTheBus() throws Exception {
    try (CapturedLogs logs = CapturedLogs.json()) {
      var response = app.get("/helloworld/" + SlowQueries.NAME_PREFIX + "ids", "X-Request-ID", "rid-across-bus",
          "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
      assertThat(response.statusCode()).isEqualTo(200);

      List<JsonObject> mine = await(() -> logs.json(l -> "rid-across-bus".equals(l.getString("request_id"))), 2);
      JsonObject access = mine.stream().filter(l -> AccessLog.LOGGER.equals(l.getString("logger"))).findFirst().orElseThrow();
      JsonObject slow = mine.stream().filter(l -> QueryMetrics.class.getName().equals(l.getString("logger")))
          .findFirst().orElseThrow(() -> new AssertionError("no consumer-side line with the request id: " + logs.lines()));

      assertThat(access.getString("method")).isEqualTo("GET");
      assertThat(access.getString("route")).isEqualTo("/helloworld/:name");
      assertThat(access.getInteger("status")).isEqualTo(200);
      assertThat(access.getDouble("duration_ms")).isPositive();
      assertThat(access.getString("remote_ip")).isEqualTo("127.0.0.1");
      assertThat(access.getString("trace_id")).isEqualTo(TRACE_ID);
      assertThat(access.getString("span_id")).matches("[0-9a-f]{16}").isNotEqualTo("00f067aa0ba902b7");
      assertThat(access.fieldNames()).contains("@timestamp", "level", "logger", "message");

      assertThat(slow.getString("message")).startsWith("slow query greetings.insert").doesNotContain(SlowQueries.NAME_PREFIX + "ids");
      assertThat(slow.getString("trace_id")).isEqualTo(TRACE_ID);
      assertThat(slow.getString("span_id")).as("the consumer is a new hop").isNotEqualTo(access.getString("span_id"));
    }
  }

  @Test
  @DisplayName("HTTP: exactly one access line per request, errors included, with the route template or 'unmatched'")
  void oneAccessLinePerRequest() throws Exception {
    try (CapturedLogs logs = CapturedLogs.json()) {
      app.get("/helloworld/" + "x".repeat(101), "X-Request-ID", "rid-400");
      app.get("/no/such/route", "X-Request-ID", "rid-404");
      app.get("/api/v1/no/such/route", "X-Request-ID", "rid-404-api");
      app.post("/helloworld", "application/json", "{\"name\":", "X-Request-ID", "rid-bad-json");

      // a path the frontend may own is routed there (and still a JSON 404 for a non-browser);
      // under an API prefix nothing matches at all
      for (var expected : List.of(List.of("rid-400", "/helloworld/:name", 400), List.of("rid-404", "frontend", 404),
          List.of("rid-404-api", "unmatched", 404),
          List.of("rid-bad-json", "/helloworld", 400))) {
        List<JsonObject> access = await(() -> logs.json(l -> expected.get(0).equals(l.getString("request_id"))
            && AccessLog.LOGGER.equals(l.getString("logger"))), 1);
        assertThat(access).as("access lines for %s", expected.get(0)).hasSize(1);
        assertThat(access.get(0).getString("route")).isEqualTo(expected.get(1));
        assertThat(access.get(0).getInteger("status")).isEqualTo(expected.get(2));
      }
    }
  }

  @Test
  @DisplayName("gRPC: one access line per call with the full method, the gRPC status and the call's x-request-id")
  void grpcAccessLine() throws Exception {
    try (CapturedLogs logs = CapturedLogs.json()) {
      var ok = grpc.unary("helloworld.v1.Greeter", "SayHello", HelloRequest.newBuilder().setName(SlowQueries.NAME_PREFIX + "grpc-log").build(),
          HelloReply.newBuilder(), "x-request-id", "rid-grpc-ok");
      grpc.unary("helloworld.v1.Greeter", "SayHello", HelloRequest.newBuilder().setName("").build(),
          HelloReply.newBuilder(), "x-request-id", "rid-grpc-bad");
      assertThat(ok.headers().get("x-request-id")).isEqualTo("rid-grpc-ok");

      JsonObject okLine = await(() -> logs.json(l -> "rid-grpc-ok".equals(l.getString("request_id"))
          && AccessLog.LOGGER.equals(l.getString("logger"))), 1).get(0);
      JsonObject badLine = await(() -> logs.json(l -> "rid-grpc-bad".equals(l.getString("request_id"))
          && AccessLog.LOGGER.equals(l.getString("logger"))), 1).get(0);
      assertThat(okLine.getString("route")).isEqualTo("/helloworld.v1.Greeter/SayHello");
      assertThat(okLine.getString("method")).isEqualTo("GRPC");
      assertThat(okLine.getString("status")).isEqualTo("OK");
      assertThat(okLine.getString("trace_id")).matches("[0-9a-f]{32}");
      assertThat(badLine.getString("status")).isEqualTo("INVALID_ARGUMENT");
      List<JsonObject> slow = await(() -> logs.json(l -> "rid-grpc-ok".equals(l.getString("request_id"))
          && QueryMetrics.class.getName().equals(l.getString("logger"))), 1);
      assertThat(slow).as("the greeter's line carries the gRPC call's ids").isNotEmpty();
      assertThat(slow.get(0).getString("trace_id")).isEqualTo(okLine.getString("trace_id"));
      assertThat(logs.lines()).as("the access hook must not disturb the gRPC stream")
          .noneMatch(l -> l.contains("Unhandled exception"));
    }
  }

  @Test
  @DisplayName("a real JSON line: arguments with PII and secrets are masked by the encoder itself")
  void jsonLineIsMasked() {
    try (CapturedLogs logs = CapturedLogs.json()) {
      LoggerFactory.getLogger("io.xredline.auth.AuthVerticle").info("login failed for {} phone {} card {} id {} {}",
          "test@example.com", "13812345678", "6222021234567890", "110101199001011234", "password=hunter2");
      String line = logs.lines().get(logs.lines().size() - 1);
      assertThat(line).contains("te**@example.com", "138****5678", "6222********7890", "110101********1234", "password=****")
          .doesNotContain("test@example.com", "13812345678", "6222021234567890", "110101199001011234", "hunter2");
      assertThat(new JsonObject(line).getString("level")).isEqualTo("INFO");
    }
  }

  @Test
  @DisplayName("log.format text: the same masking and the request's id in brackets at the end of the line")
  void textLineIsMasked() throws Exception {
    try (CapturedLogs logs = CapturedLogs.text()) {
      app.get("/helloworld/text", "X-Request-ID", "rid-text");
      LoggerFactory.getLogger("test").warn("user {} token={}", "test@example.com", "abc.def.ghi");
      // the access line is written when the response has ended, possibly after the client read it
      Eventually.await("the text access line", () -> logs.lines().stream()
          .anyMatch(l -> l.contains("xredline.access") && l.endsWith("[rid-text]")));
      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("xredline.access", "/helloworld/:name 200")
          .endsWith("[rid-text]"));
      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("user te**@example.com token=****"));
      assertThat(String.join("\n", logs.lines())).doesNotContain("test@example.com", "abc.def.ghi");
    }
  }
}
