package io.xredline.grpc;

import io.vertx.core.eventbus.EventBus;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.ServiceBuilder;
import io.xredline.api.helloworld.v1.GreeterGrpcService;
import io.xredline.api.helloworld.v1.HelloReply;
import io.xredline.greeter.GreeterApi;

/** {@code helloworld.v1.Greeter}: protobuf ⇄ bus message, nothing else. */
final class GreeterGrpc {
  private GreeterGrpc() {
  }

  static Service service(EventBus bus, long busTimeoutMs, UnaryCalls calls) {
    ServiceBuilder builder = Service.service(GreeterGrpcService.SERVICE_NAME, GreeterGrpcService.SERVICE_DESCRIPTOR);
    calls.bind(builder, GreeterGrpcService.SayHello, (request, requestId) ->
        GreeterApi.sayHello(bus, new GreeterApi.SayHello(request.getName(), "grpc"), requestId, busTimeoutMs)
            .map(greeting -> HelloReply.newBuilder().setMessage(greeting.message()).build()));
    return builder.build();
  }
}
