package io.xredline.greeter;

import com.google.rpc.ErrorInfo;
import io.vertx.grpc.common.GrpcStatus;
import io.xredline.api.helloworld.v1.HelloReply;
import io.xredline.api.helloworld.v1.HelloRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The greeter answers the same over REST and gRPC, through the bus, and records every greeting")
class GreeterTest {
  private static TestApp app;
  private static GrpcCalls grpc;

  @BeforeAll
  static void start() {
    app = TestApp.start("greeter");
    grpc = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    app.close();
  }

  private GrpcCalls.Result<HelloReply> sayHello(String name) {
    return grpc.unary("helloworld.v1.Greeter", "SayHello", HelloRequest.newBuilder().setName(name).build(),
        HelloReply.newBuilder());
  }

  @Test
  @DisplayName("GET /helloworld/{name} and Greeter/SayHello give the same message")
  void sameAnswerOnBothTransports() {
    var rest = app.get("/helloworld/" + URLEncoder.encode("Zoë", StandardCharsets.UTF_8).replace("+", "%20"));
    var rpc = sayHello("Zoë");

    assertThat(rest.statusCode()).isEqualTo(200);
    assertThat(TestApp.json(rest).getString("message")).isEqualTo("Hello Zoë");
    assertThat(rpc.status()).isEqualTo(GrpcStatus.OK);
    assertThat(rpc.reply().getMessage()).isEqualTo("Hello Zoë");
  }

  @Test
  @DisplayName("each greeting is stored in PostgreSQL with the transport and request id it came with")
  void greetingsAreRecorded() {
    app.get("/helloworld/recorded-rest", "X-Request-ID", "req-greeter-1");
    sayHello("recorded-grpc");

    assertThat(TestBackends.count(app.databaseUrl(),
        "SELECT count(*) FROM greetings WHERE name = 'recorded-rest' AND transport = 'http' AND request_id = 'req-greeter-1'"))
        .isEqualTo(1);
    assertThat(TestBackends.count(app.databaseUrl(),
        "SELECT count(*) FROM greetings WHERE name = 'recorded-grpc' AND transport = 'grpc'")).isEqualTo(1);
  }

  @Test
  @DisplayName("a name that is too long is refused with the same reason on both transports")
  void validationIsShared() throws Exception {
    String longName = "x".repeat(GreeterVerticle.MAX_NAME_LENGTH + 1);
    var rest = app.get("/helloworld/" + longName);
    var rpc = sayHello(longName);

    assertThat(rest.statusCode()).isEqualTo(400);
    assertThat(TestApp.json(rest).getString("reason")).isEqualTo("VALIDATION_FAILED");
    assertThat(TestApp.json(rest).getJsonObject("metadata").getString("field")).isEqualTo("name");

    assertThat(rpc.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(rpc.trailers().get("x-reason")).isEqualTo("VALIDATION_FAILED");
    assertThat(rpc.message()).isEqualTo(TestApp.json(rest).getString("message"));
    byte[] details = Base64.getDecoder().decode(rpc.trailers().get("grpc-status-details-bin"));
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(details);
    ErrorInfo info = status.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("VALIDATION_FAILED");
    assertThat(info.getMetadataMap()).containsEntry("field", "name");
  }

  @Test
  @DisplayName("an empty name over gRPC is INVALID_ARGUMENT, and POST /helloworld with {\"name\":\"\"} is 400")
  void emptyName() {
    var rpc = sayHello("");
    var rest = app.post("/helloworld", "application/json", "{\"name\":\"\"}");

    assertThat(rpc.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(rest.statusCode()).isEqualTo(400);
    assertThat(TestApp.json(rest).getString("reason")).isEqualTo("VALIDATION_FAILED");
  }

  @Test
  @DisplayName("gRPC echoes a sane x-request-id and the greeting is recorded under it")
  void grpcRequestId() {
    var rpc = grpc.unary("helloworld.v1.Greeter", "SayHello", HelloRequest.newBuilder().setName("rid").build(),
        HelloReply.newBuilder(), "x-request-id", "grpc-rid-7");
    assertThat(rpc.headers().get("x-request-id")).isEqualTo("grpc-rid-7");
    assertThat(TestBackends.count(app.databaseUrl(),
        "SELECT count(*) FROM greetings WHERE request_id = 'grpc-rid-7'")).isEqualTo(1);
  }
}
