package io.xredline.features;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;

import java.util.HashSet;
import java.util.Set;

/**
 * The features capability's bus contract. {@link #EVALUATE}: {@code {user_id, username, roles}} →
 * {@code {features: {name: bool}}}; {@link #DEFINITIONS}: {@code {}} →
 * {@code {features: {name: {enabled, percent, users, roles}}}}.
 */
public final class FeaturesApi {
  public static final String EVALUATE = "xredline.features.evaluate";
  public static final String DEFINITIONS = "xredline.features.definitions";

  private FeaturesApi() {
  }

  public static JsonObject callerJson(FeatureFlags.Caller caller) {
    return new JsonObject().put("user_id", caller.userId()).put("username", caller.username())
        .put("roles", new JsonArray(caller.roles().stream().sorted().toList()));
  }

  static FeatureFlags.Caller callerFromJson(JsonObject j) {
    Set<String> roles = new HashSet<>();
    for (Object role : j.getJsonArray("roles", new JsonArray())) {
      if (role instanceof String r) {
        roles.add(r);
      }
    }
    return new FeatureFlags.Caller(j.getString("user_id"), j.getString("username"), roles);
  }

  public static Future<JsonObject> evaluate(EventBus bus, FeatureFlags.Caller caller, String requestId, long timeoutMs) {
    return bus.<JsonObject>request(EVALUATE, callerJson(caller), BusReplies.withRequestId(requestId, timeoutMs))
        .map(reply -> reply.body());
  }

  public static Future<JsonObject> definitions(EventBus bus, String requestId, long timeoutMs) {
    return bus.<JsonObject>request(DEFINITIONS, new JsonObject(), BusReplies.withRequestId(requestId, timeoutMs))
        .map(reply -> reply.body());
  }
}
