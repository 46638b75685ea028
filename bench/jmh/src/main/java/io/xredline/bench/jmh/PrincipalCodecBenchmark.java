package io.xredline.bench.jmh;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.AuthApi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.UUID;

/**
 * The auth principal across the bus, as /api/v1/auth/me moves it: to JSON and back; plus the copy
 * the local JsonObject codec makes on every send and reply; plus the wire form a clustered bus
 * would use; and one real local request-reply hop (a consumer on an event loop, the caller here,
 * so it includes the thread hand-off a same-loop hop does not pay).
 */
@State(Scope.Benchmark)
public class PrincipalCodecBenchmark extends HotPathRun {
  private static final String ADDRESS = "jmh.principal";
  private AuthApi.Principal principal;
  private JsonObject json;
  private Buffer wire;
  private Vertx vertx;
  private MessageConsumer<JsonObject> consumer;
  private final DeliveryOptions local = new DeliveryOptions().setLocalOnly(true).setSendTimeout(5000);

  @Setup(Level.Trial)
  public void setUp() {
    principal = new AuthApi.Principal(42, "benchuser", UUID.randomUUID().toString(), UUID.randomUUID().toString(),
        1_900_000_000L);
    json = principal.toJson();
    wire = json.toBuffer();
    vertx = Vertx.vertx();
    consumer = vertx.eventBus().<JsonObject>localConsumer(ADDRESS, m -> m.reply(m.body()));
    consumer.completion().await();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close().await();
  }

  @Benchmark
  public AuthApi.Principal toJsonFromJson() {
    return AuthApi.Principal.fromJson(principal.toJson());
  }

  /** What one local send pays: toJson, the codec's copy, fromJson. */
  @Benchmark
  public AuthApi.Principal localCodecHop() {
    return AuthApi.Principal.fromJson(principal.toJson().copy());
  }

  /** /me's JSON work over its two bus hops (authenticate, then me): requests, copies, replies. */
  @Benchmark
  public AuthApi.Principal meTwoHopsShapes() {
    JsonObject authRequest = new JsonObject().put("authorization", "Bearer x").copy();
    AuthApi.Principal p = AuthApi.Principal.fromJson(principal.toJson().copy());
    JsonObject meRequest = new JsonObject().put("principal", p.toJson()).copy();
    return AuthApi.Principal.fromJson(meRequest.getJsonObject("principal")) == null || authRequest.isEmpty() ? null : p;
  }

  @Benchmark
  public Buffer encode() {
    return principal.toJson().toBuffer();
  }

  @Benchmark
  public AuthApi.Principal decode() {
    return AuthApi.Principal.fromJson(new JsonObject(wire));
  }

  @Benchmark
  public JsonObject localBusRequestReply() {
    return vertx.eventBus().<JsonObject>request(ADDRESS, json, local).map(m -> m.body())
        .toCompletionStage().toCompletableFuture().join();
  }
}
