package io.xredline.testing;

import com.google.protobuf.Message;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real gRPC client over loopback that keeps status, message and trailers, for assertions. */
public final class GrpcCalls implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient client = GrpcClient.client(vertx);
  private final SocketAddress address;

  public GrpcCalls(int port) {
    this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  public record Result<T>(GrpcStatus status, String message, MultiMap headers, MultiMap trailers, List<T> replies) {
    public T reply() {
      return replies.isEmpty() ? null : replies.get(0);
    }
  }

  public <Req extends Message, Resp extends Message> Result<Resp> unary(String service, String method, Req request,
                                                                        Message.Builder prototype, String... metadata) {
    int dot = service.lastIndexOf('.');
    ServiceMethod<Resp, Req> sm = ServiceMethod.client(
        ServiceName.create(service.substring(0, dot), service.substring(dot + 1)), method,
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.<Resp>decoder(prototype));
    List<Resp> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      return client.request(address, sm).compose(req -> {
        for (int i = 0; i + 1 < metadata.length; i += 2) {
          req.headers().set(metadata[i], metadata[i + 1]);
        }
        // the handler goes on the response future itself, which completes on the stream's context
        // before that context delivers the first message; a listener further down the chain can run
        // later, on the caller's context, and the stream drops a message that finds no handler
        var response = req.response().onSuccess(resp -> resp.handler(replies::add));
        req.end(request);
        return response;
      }).compose(resp -> resp.end().map(v -> result(resp, replies))
          .recover(e -> io.vertx.core.Future.succeededFuture(result(resp, replies))))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gRPC " + service + "/" + method + ": " + e, e);
    }
  }

  /** A Trailers-Only response carries its trailers in the header block, as grpc-java reads it too. */
  private static <Resp> Result<Resp> result(io.vertx.grpc.client.GrpcClientResponse<?, Resp> resp, List<Resp> replies) {
    MultiMap trailers = resp.trailers() == null || resp.trailers().isEmpty() ? resp.headers() : resp.trailers();
    return new Result<>(resp.status(), resp.statusMessage(), resp.headers(), trailers, replies);
  }

  public GrpcClient client() {
    return client;
  }

  public SocketAddress address() {
    return address;
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
