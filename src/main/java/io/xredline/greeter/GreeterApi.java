package io.xredline.greeter;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;
import io.xredline.bus.LoopAffinity;

/** The greeter's event-bus contract: one address, JSON shapes declared once, a typed client for transports. */
public final class GreeterApi {
  public static final String SAY_HELLO = "xredline.greeter.say-hello";

  private GreeterApi() {
  }

  /** {@code transport} is recorded with the greeting: {@code http} or {@code grpc}. */
  public record SayHello(String name, String transport) {
    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("transport", transport);
    }

    public static SayHello fromJson(JsonObject json) {
      Object name = json.getValue("name");
      return new SayHello(name instanceof String s ? s : null, json.getString("transport", "unknown"));
    }
  }

  public record Greeting(String message) {
    public JsonObject toJson() {
      return new JsonObject().put("message", message);
    }

    public static Greeting fromJson(JsonObject json) {
      return new Greeting(json.getString("message"));
    }
  }

  public static Future<Greeting> sayHello(EventBus bus, SayHello request, String requestId, long timeoutMs) {
    return LoopAffinity.<JsonObject>request(bus, SAY_HELLO, request.toJson(), BusReplies.withRequestId(requestId, timeoutMs))
        .map(reply -> Greeting.fromJson(reply.body()));
  }
}
