package io.xredline.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.xredline.testing.Eventually;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TcpProxy;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL and Redis reached through TCP relays the test can cut: readiness must go DOWN and come
 * back, with no restart, while liveness never notices. On an idle machine DOWN takes at most
 * check_timeout + cache_ttl (2 s by default); the times are printed, not asserted, because a loaded
 * machine stretches them without anything being wrong.
 */
@DisplayName("Readiness follows PostgreSQL and Redis; liveness never does")
class ReadinessTest {
  private static TcpProxy pgProxy;
  private static TcpProxy redisProxy;
  private static TestApp app;
  private static GrpcCalls grpc;

  @BeforeAll
  static void start() {
    String db = TestBackends.freshDatabase("readiness");
    pgProxy = TcpProxy.to(db);
    redisProxy = TcpProxy.to(TestBackends.redisUrl());
    String proxiedDb = pgProxy.relayed(db);
    String proxiedRedis = redisProxy.relayed(TestBackends.redisUrl());
    app = TestApp.start("readiness", Map.of("data.database.url", proxiedDb, "data.redis.url", proxiedRedis));
    grpc = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    grpc.close();
    app.close();
    pgProxy.close();
    redisProxy.close();
  }

  @Test
  @DisplayName("all probes UP on a healthy start, with the contract's body shape")
  void healthyStart() {
    for (String path : List.of("/healthz/live", "/health/live", "/healthz/ready", "/health/ready", "/healthz/startup",
        "/healthz", "/health")) {
      assertThat(app.get(path).statusCode()).as(path).isEqualTo(200);
    }
    JsonObject all = TestApp.json(app.get("/healthz"));
    assertThat(all.getString("status")).isEqualTo("UP");
    assertThat(all.getString("outcome")).isEqualTo("UP");
    assertThat(ids(all)).contains("database", "redis", "memory", "event-loop", "startup");
    for (Object check : all.getJsonArray("checks")) {
      JsonObject c = (JsonObject) check;
      assertThat(c.getString("status")).isEqualTo("UP");
      assertThat(c.getJsonObject("data").getDouble("duration_ms")).isNotNull();
    }
    assertThat(ids(TestApp.json(app.get("/healthz/live")))).containsExactly("event-loop");
  }

  @Test
  @DisplayName("PostgreSQL cut: ready DOWN, live stays UP; restored: ready UP again without a restart")
  void postgresDownAndBack() {
    outage(pgProxy, "database");
  }

  @Test
  @DisplayName("Redis cut: ready DOWN, live stays UP; restored: ready UP again without a restart")
  void redisDownAndBack() {
    outage(redisProxy, "redis");
  }

  @Test
  @DisplayName("gRPC Health/Check for the empty service follows readiness; Watch streams the change")
  void grpcHealthFollowsReadiness() throws Exception {
    assertThat(check("").getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(check("helloworld.v1.Greeter").getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    List<HealthCheckResponse.ServingStatus> watched = new CopyOnWriteArrayList<>();
    ServiceMethod<HealthCheckResponse, HealthCheckRequest> watch = ServiceMethod.client(
        ServiceName.create("grpc.health.v1", "Health"), "Watch",
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));
    grpc.client().request(grpc.address(), watch).compose(req -> {
      // on the response future itself, so the handler is set before the stream delivers the first status
      var response = req.response().onSuccess(resp -> resp.handler(r -> watched.add(r.getStatus())));
      req.end(HealthCheckRequest.newBuilder().setService("").build());
      return response;
    }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    waitFor(() -> watched.contains(HealthCheckResponse.ServingStatus.SERVING), "Watch reports SERVING");

    pgProxy.cut();
    try {
      waitFor(() -> check("").getStatus() == HealthCheckResponse.ServingStatus.NOT_SERVING, "Check NOT_SERVING");
      waitFor(() -> watched.contains(HealthCheckResponse.ServingStatus.NOT_SERVING), "Watch reports NOT_SERVING");
    } finally {
      pgProxy.restore();
    }
    waitFor(() -> check("").getStatus() == HealthCheckResponse.ServingStatus.SERVING, "Check SERVING again");
    waitFor(() -> watched.lastIndexOf(HealthCheckResponse.ServingStatus.SERVING)
        > watched.indexOf(HealthCheckResponse.ServingStatus.NOT_SERVING), "Watch reports SERVING again");
  }

  private HealthCheckResponse check(String service) {
    GrpcCalls.Result<HealthCheckResponse> result = grpc.unary("grpc.health.v1.Health", "Check",
        HealthCheckRequest.newBuilder().setService(service).build(), HealthCheckResponse.newBuilder());
    return result.reply() == null ? HealthCheckResponse.getDefaultInstance() : result.reply();
  }

  private void outage(TcpProxy proxy, String checkId) {
    waitFor(() -> app.get("/healthz/ready").statusCode() == 200, "ready before the outage");
    long cutAt = System.nanoTime();
    proxy.cut();
    try {
      long downAfter = waitFor(() -> app.get("/healthz/ready").statusCode() == 503, "ready DOWN") - cutAt;
      System.out.printf("%s cut: readiness DOWN after %d ms%n", checkId, downAfter / 1_000_000);
      HttpResponse<String> ready = app.get("/healthz/ready");
      JsonObject body = TestApp.json(ready);
      assertThat(body.getString("status")).isEqualTo("DOWN");
      assertThat(status(body, checkId)).isEqualTo("DOWN");
      for (int i = 0; i < 5; i++) {
        assertThat(app.get("/healthz/live").statusCode()).as("liveness during the outage").isEqualTo(200);
      }
      assertThat(app.get("/helloworld/during-outage").statusCode()).isIn(200, 503);
    } finally {
      proxy.restore();
    }
    long restoredAt = System.nanoTime();
    long upAfter = waitFor(() -> app.get("/healthz/ready").statusCode() == 200, "ready UP again") - restoredAt;
    System.out.printf("%s restored: readiness UP after %d ms%n", checkId, upAfter / 1_000_000);
    assertThat(app.get("/helloworld/after-outage").statusCode()).isEqualTo(200);
  }

  private static List<String> ids(JsonObject report) {
    JsonArray checks = report.getJsonArray("checks");
    return checks.stream().map(c -> ((JsonObject) c).getString("id")).toList();
  }

  private static String status(JsonObject report, String id) {
    return report.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow().getString("status");
  }

  /** Returns the nanoTime at which the condition was first seen to hold. */
  private static long waitFor(java.util.function.BooleanSupplier condition, String what) {
    Eventually.await(what, condition);
    return System.nanoTime();
  }


}
