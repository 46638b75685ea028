package io.xredline.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.xredline.api.auth.v1.MeReply;
import io.xredline.api.auth.v1.MeRequest;
import io.xredline.testing.GrpcCalls;
import io.xredline.bus.CapabilityExport;
import io.xredline.config.AppConfig;
import io.xredline.observability.Telemetry;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An edge node (http, grpc) and a capability node (auth, greeter, audit) in one JVM, each with its
 * own Vert.x and Hazelcast member on loopback, a cluster name and ports of this run only.
 */
@Tag("e2e")
@DisplayName("Node roles: an edge node serves auth through a capability node of the cluster")
// two Hazelcast members and two full service starts (the first member takes several seconds alone)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeRolesTest {
  private static final String CODE = "Q7XK2M";
  private static final String PASSWORD = "Corr3ct-Horse-Battery";

  @Test
  @DisplayName("auth answers through the remote node; without it 503 SERVICE_UNAVAILABLE and readiness capabilities DOWN; a wrong secret is refused and hears nothing")
  void edgeAndAuthNodes() throws Exception {
    int edgePort = TestBackends.freePort();
    int authPort = TestBackends.freePort();
    int strangerPort = TestBackends.freePort();
    String members = "127.0.0.1:" + edgePort + ",127.0.0.1:" + authPort + ",127.0.0.1:" + strangerPort;
    String name = "xr-roles-" + System.nanoTime();
    String secret = "roles-test-secret-" + System.nanoTime();
    Map<String, String> shared = new HashMap<>(Map.of("cluster.enabled", "true", "cluster.name", name,
        "cluster.members", members, "cluster.secret", secret, "auth.captcha.fixed_code", CODE,
        "data.database.url", TestBackends.freshDatabase("roles"), "data.redis.key_prefix", TestBackends.freshKeyPrefix("roles"),
        "server.http.timeout", "5s", "monitoring.health.cache_ttl", "0s"));

    Map<String, String> authNode = new HashMap<>(shared);
    authNode.putAll(Map.of("cluster.port", String.valueOf(authPort), "cluster.roles", "auth,greeter,audit,health"));
    Map<String, String> edgeNode = new HashMap<>(shared);
    edgeNode.putAll(Map.of("cluster.port", String.valueOf(edgePort), "cluster.roles", "http,grpc,health"));

    TestApp auth = TestApp.start("rolesauth", authNode);
    boolean authOpen = true;
    try (TestApp edge = TestApp.start("rolesedge", edgeNode)) {
      // a node with the right name but another secret: its own cluster, and nothing reaches its consumers
      AtomicInteger strangerHeard = new AtomicInteger();
      Map<String, String> strangerConf = new HashMap<>(TestApp.defaults("stranger"));
      strangerConf.putAll(Map.of("cluster.enabled", "true", "cluster.name", name, "cluster.members", members,
          "cluster.port", String.valueOf(strangerPort), "cluster.secret", "not-the-secret-" + System.nanoTime(),
          "data.database.url", "postgresql://unused@127.0.0.1:1/none"));
      AppConfig strangerConfig = TestApp.config(strangerConf);
      Telemetry strangerTelemetry = Telemetry.create(strangerConfig);
      Clustering.Node stranger = Clustering.start(strangerConfig.cluster(), new VertxOptions(), strangerTelemetry)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Vertx s = stranger.vertx();
      try {
        for (String address : NodeRoles.authAddresses()) {
          s.eventBus().consumer(CapabilityExport.remote(address), m -> strangerHeard.incrementAndGet())
              .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        s.eventBus().consumer(CapabilityExport.ping("auth"), m -> strangerHeard.incrementAndGet());

        JsonObject ready = Eventually.value("edge ready with auth reachable", () -> {
          HttpResponse<String> r = edge.get("/healthz/ready");
          return r.statusCode() == 200 ? TestApp.json(r) : null;
        }, java.util.Objects::nonNull);
        assertThat(check(ready, "capabilities").getJsonObject("data").getString("auth")).isEqualTo("UP");
        assertThat(check(ready, "cluster").getJsonObject("data").getInteger("members")).isEqualTo(2);

        String username = "roles_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        HttpResponse<String> registered = edge.post("/api/v1/auth/register", "application/json", new JsonObject()
            .put("username", username).put("password", PASSWORD).put("email", username + "@example.com")
            .put("captcha_id", captcha(edge)).put("captcha_code", CODE).encode());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String bearer = "Bearer " + login(edge, username);
        for (int i = 0; i < 10; i++) {
          HttpResponse<String> me = edge.get("/api/v1/auth/me", "Authorization", bearer);
          assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
          assertThat(TestApp.json(me).getString("username")).isEqualTo(username);
        }
        try (GrpcCalls calls = new GrpcCalls(edge.grpcPort())) {
          GrpcCalls.Result<MeReply> grpc = calls.unary("auth.v1.Auth", "Me", MeRequest.getDefaultInstance(),
              MeReply.newBuilder(), "authorization", bearer);
          assertThat(grpc.status()).as(grpc.message()).isEqualTo(GrpcStatus.OK);
          assertThat(grpc.reply().getUsername()).as("gRPC on the edge answers like REST").isEqualTo(username);
        }
        assertThat(edge.get("/api/v1/auth/me", "Authorization", "Bearer nonsense").statusCode())
            .as("the capability's own errors cross the bridge unchanged").isEqualTo(401);
        assertThat(strangerHeard.get()).as("messages that reached the wrong-secret node").isZero();
        assertThat(stranger.clusterManager().getNodes()).as("the wrong-secret node is alone").hasSize(1);

        auth.close();
        authOpen = false;
        Eventually.await("edge readiness DOWN: no member serves auth", () -> {
          HttpResponse<String> r = edge.get("/healthz/ready");
          return r.statusCode() == 503
              && "DOWN".equals(check(TestApp.json(r), "capabilities").getJsonObject("data").getString("auth"));
        });
        long begin = System.nanoTime();
        HttpResponse<String> unavailable = edge.get("/api/v1/auth/me", "Authorization", bearer);
        long tookMs = (System.nanoTime() - begin) / 1_000_000;
        assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(503);
        assertThat(TestApp.json(unavailable).getString("reason")).isEqualTo("SERVICE_UNAVAILABLE");
        try (GrpcCalls calls = new GrpcCalls(edge.grpcPort())) {
          GrpcCalls.Result<MeReply> grpc = calls.unary("auth.v1.Auth", "Me", MeRequest.getDefaultInstance(),
              MeReply.newBuilder(), "authorization", bearer);
          assertThat(grpc.status()).as("gRPC without an auth node: " + grpc.message()).isEqualTo(GrpcStatus.UNAVAILABLE);
        }
        System.out.println("NodeRolesTest: 503 without an auth node after " + tookMs + " ms (request timeout 5000 ms)");
        assertThat(strangerHeard.get()).isZero();
      } finally {
        s.close().onComplete(ignored -> strangerTelemetry.close());
      }
    } finally {
      if (authOpen) {
        auth.close();
      }
    }
  }

  private static JsonObject check(JsonObject health, String id) {
    return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow(() -> new AssertionError("no check " + id + " in " + health));
  }

  static String captcha(TestApp app) {
    HttpResponse<String> r = app.get("/api/v1/auth/captcha");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestApp.json(r).getString("captcha_id");
  }

  static String login(TestApp app, String username) {
    HttpResponse<String> r = app.post("/api/v1/auth/login", "application/json", new JsonObject().put("username", username)
        .put("password", PASSWORD).put("captcha_id", captcha(app)).put("captcha_code", CODE).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestApp.json(r).getString("access_token");
  }
}
