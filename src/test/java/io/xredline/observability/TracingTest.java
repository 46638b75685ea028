package io.xredline.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import io.xredline.testing.CapturedLogs;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Tracing: one trace from the HTTP request through the event bus to the SQL query, W3C traceparent in")
class TracingTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("tracing", Map.of(), config -> Telemetry.withExporter(config, EXPORTER));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static List<SpanData> spansOf(String traceId, int atLeast) {
    return Eventually.value(atLeast + " spans of trace " + traceId,
        () -> EXPORTER.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList(),
        spans -> spans.size() >= atLeast);
  }

  private static SpanData bus(List<SpanData> spans, SpanKind kind, String described) {
    return spans.stream().filter(s -> s.getKind() == kind
            && "xredline.greeter.say-hello".equals(s.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " bus span:\n" + described));
  }

  @Test
  @DisplayName("GET /helloworld/{name} with a traceparent: server, bus send/receive and the INSERT share the caller's trace")
  void httpBusSql() throws Exception {
    try (CapturedLogs logs = CapturedLogs.json()) {
      var response = app.get("/helloworld/traced", "traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01",
          "X-Request-ID", "rid-traced");
      assertThat(response.statusCode()).isEqualTo(200);

      List<SpanData> spans = spansOf(TRACE_ID, 4);
      String described = spans.stream().map(s -> s.getKind() + " " + s.getName() + " " + s.getAttributes())
          .collect(Collectors.joining("\n"));
      SpanData server = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER && s.getName().startsWith("GET"))
          .findFirst().orElseThrow(() -> new AssertionError("no HTTP server span:\n" + described));
      assertThat(server.getParentSpanId()).as("continues the caller's span").isEqualTo("b7ad6b7169203331");
      SpanData busOut = bus(spans, SpanKind.CLIENT, described);
      SpanData busIn = bus(spans, SpanKind.SERVER, described);
      SpanData sql = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT
              && "postgresql".equals(s.getAttributes().get(AttributeKey.stringKey("db.system"))))
          .findFirst().orElseThrow(() -> new AssertionError("no SQL span:\n" + described));
      assertThat(sql.getAttributes().get(AttributeKey.stringKey("db.query.text"))).startsWith("INSERT INTO greetings");

      assertThat(busOut.getParentSpanId()).as("HTTP server → bus send").isEqualTo(server.getSpanId());
      assertThat(busIn.getParentSpanId()).as("bus send → greeter consumer").isEqualTo(busOut.getSpanId());
      assertThat(sql.getParentSpanId()).as("greeter consumer → SQL query").isEqualTo(busIn.getSpanId());

      // written when the response has ended, which may be just after the client has read it
      List<JsonObject> access = Eventually.value("the access line", () -> logs.json(l -> "rid-traced".equals(l.getString("request_id"))
          && AccessLog.LOGGER.equals(l.getString("logger"))), lines -> !lines.isEmpty());
      assertThat(access).singleElement().satisfies(line -> {
        assertThat(line.getString("trace_id")).isEqualTo(TRACE_ID);
        assertThat(line.getString("span_id")).isEqualTo(server.getSpanId());
      });
    }
  }

  @Test
  @DisplayName("gRPC calls are traced too, and a request without traceparent starts a new trace")
  void grpcStartsATrace() throws Exception {
    EXPORTER.reset();
    try (var grpc = new io.xredline.testing.GrpcCalls(app.grpcPort())) {
      grpc.unary("helloworld.v1.Greeter", "SayHello",
          io.xredline.api.helloworld.v1.HelloRequest.newBuilder().setName("traced-grpc").build(),
          io.xredline.api.helloworld.v1.HelloReply.newBuilder(),
          "traceparent", "00-1af7651916cd43dd8448eb211c80319d-c7ad6b7169203332-01");
    }
    List<SpanData> spans = spansOf("1af7651916cd43dd8448eb211c80319d", 3);
    assertThat(spans).anySatisfy(s -> assertThat(s.getKind()).isEqualTo(SpanKind.SERVER));
    assertThat(spans).anySatisfy(s -> assertThat(s.getAttributes().asMap().toString()).contains("INSERT INTO greetings"));
  }
}
