package io.xredline.grpc;

import com.google.protobuf.DescriptorProtos;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("gRPC server reflection lets grpcurl-style clients discover every service")
class ReflectionTest {
  private static TestApp app;
  private static GrpcCalls grpc;

  @BeforeAll
  static void start() {
    app = TestApp.start("reflection");
    grpc = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    app.close();
  }

  private ServerReflectionResponse ask(ServerReflectionRequest request) {
    GrpcCalls.Result<ServerReflectionResponse> result = grpc.unary("grpc.reflection.v1.ServerReflection",
        "ServerReflectionInfo", request, ServerReflectionResponse.newBuilder());
    assertThat(result.replies()).hasSize(1);
    return result.reply();
  }

  @Test
  @DisplayName("list_services names the greeter, health and reflection services")
  void listsServices() {
    List<String> names = ask(ServerReflectionRequest.newBuilder().setListServices("").build())
        .getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
    assertThat(names).contains("helloworld.v1.Greeter", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
  }

  @Test
  @DisplayName("file_containing_symbol returns the greeter's proto with its SayHello method")
  void describesGreeter() throws Exception {
    ServerReflectionResponse response = ask(ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("helloworld.v1.Greeter").build());
    assertThat(response.getFileDescriptorResponse().getFileDescriptorProtoCount()).isPositive();
    DescriptorProtos.FileDescriptorProto file = DescriptorProtos.FileDescriptorProto.parseFrom(
        response.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(file.getPackage()).isEqualTo("helloworld.v1");
    assertThat(file.getServiceList()).anySatisfy(service -> {
      assertThat(service.getName()).isEqualTo("Greeter");
      assertThat(service.getMethodList()).extracting(DescriptorProtos.MethodDescriptorProto::getName).contains("SayHello");
    });
  }
}
