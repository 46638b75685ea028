package io.xredline.grpc;

import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.xredline.api.helloworld.v1.HelloReply;
import io.xredline.api.helloworld.v1.HelloRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RequestFuzzTest's gRPC findings as plain tests: a message that does not decode used to make the
 * server reset the stream (CANCELLED, no reason); now it is INVALID_ARGUMENT with BAD_REQUEST.
 */
@DisplayName("gRPC: undecodable, truncated, falsely gzipped or inflating messages → INVALID_ARGUMENT BAD_REQUEST")
class MalformedMessagesTest {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("grpcmalformed", Map.of("server.http.max_body_size", "64KB"));
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
  }

  record Answer(String status, String reason, String message) {
  }

  private static Answer raw(String method, String encoding, byte[] payload) throws Exception {
    return calls.client().request(calls.address()).compose(req -> {
      req.fullMethodName(method);
      if (!encoding.equals("identity")) {
        req.headers().set("grpc-encoding", encoding);
      }
      return req.endMessage(GrpcMessage.message(encoding, Buffer.buffer(payload))).compose(v -> req.response());
    }).compose(resp -> {
      resp.handler(ignored -> { });
      return resp.end().otherwise(e -> null).map(v -> {
        var trailers = resp.trailers() == null || resp.trailers().isEmpty() ? resp.headers() : resp.trailers();
        return new Answer(resp.status().name(), trailers.get(GrpcErrors.REASON_TRAILER), resp.statusMessage());
      });
    }).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  @Test
  @DisplayName("the fuzzer's cases: a truncated message and a lone 0x00 (field number 0)")
  void undecodable() throws Exception {
    for (byte[] payload : new byte[][] {{0x0a, 0x01, 0x41, 0x12, 0x01}, {0x00}, {(byte) 0xff, (byte) 0xff, (byte) 0xff}}) {
      Answer a = raw("auth.v1.Auth/GetCaptcha", "identity", payload);
      assertThat(a.status()).isEqualTo("INVALID_ARGUMENT");
      assertThat(a.reason()).isEqualTo("BAD_REQUEST");
      assertThat(a.message()).isEqualTo("malformed request message");
    }
  }

  @Test
  @DisplayName("grpc-encoding gzip: a payload that is not gzip, and one inflating past the message limit, are refused; real gzip works")
  void gzipped() throws Exception {
    assertThat(raw("helloworld.v1.Greeter/SayHello", "gzip", new byte[0]).reason()).isEqualTo("BAD_REQUEST");
    assertThat(raw("helloworld.v1.Greeter/SayHello", "gzip", new byte[] {1, 2, 3}).reason()).isEqualTo("BAD_REQUEST");
    // 64 KB limit: 1 MB of zeros compresses to ~1 KB and must not be inflated in full
    byte[] bomb = gzip(HelloRequest.newBuilder().setName("a".repeat(1 << 20)).build().toByteArray());
    assertThat(bomb.length).isLessThan(8192);
    assertThat(raw("helloworld.v1.Greeter/SayHello", "gzip", bomb).reason()).isEqualTo("BAD_REQUEST");
    Answer ok = raw("helloworld.v1.Greeter/SayHello", "gzip", gzip(HelloRequest.newBuilder().setName("zip").build().toByteArray()));
    assertThat(ok.status()).isEqualTo("OK");
    assertThat(raw("helloworld.v1.Greeter/SayHello", "snappy", new byte[] {1}).status()).isEqualTo("INVALID_ARGUMENT");
  }

  @Test
  @DisplayName("metadata beyond HTTP/2's header list limit is refused by the codec; the server keeps serving")
  void oversizedMetadata() {
    Object refused = catching(() -> calls.unary("helloworld.v1.Greeter", "SayHello", HelloRequest.newBuilder().setName("x")
        .build(), HelloReply.newBuilder(), "authorization", "Bearer " + "A".repeat(20_000)));
    if (refused instanceof GrpcCalls.Result<?> result) {
      assertThat(result.status().name()).isNotIn("OK", "INTERNAL", "UNKNOWN");
    } else {
      assertThat(refused).as("the stream was refused below gRPC").isInstanceOf(Exception.class);
    }
    GrpcCalls.Result<HelloReply> after = calls.unary("helloworld.v1.Greeter", "SayHello",
        HelloRequest.newBuilder().setName("after").build(), HelloReply.newBuilder());
    assertThat(after.reply().getMessage()).isEqualTo("Hello after");
    assertThat(app.get("/healthz/ready").statusCode()).isEqualTo(200);
  }

  /** The answer, or the failure when the stream was refused below gRPC. */
  private static Object catching(java.util.concurrent.Callable<?> call) {
    try {
      return call.call();
    } catch (Exception e) {
      return e;
    }
  }
}
