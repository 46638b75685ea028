package io.xredline.features;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;
import io.xredline.config.AppConfig;

/** Answers {@link FeaturesApi}: the flags as they apply to a caller, and the definitions, both following hot reloads. */
public final class FeaturesVerticle extends VerticleBase {
  private final AppConfig config;
  private FeatureFlags flags;

  public FeaturesVerticle(AppConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    flags = FeatureFlags.watching(vertx, config.features());
    return Future.all(
        vertx.eventBus().<JsonObject>localConsumer(FeaturesApi.EVALUATE, message -> BusReplies.reply(message,
            Future.succeededFuture(new JsonObject().put("features",
                new JsonObject(new java.util.LinkedHashMap<String, Object>(flags.evaluateAll(FeaturesApi.callerFromJson(message.body())))))))).completion(),
        vertx.eventBus().<JsonObject>localConsumer(FeaturesApi.DEFINITIONS, message -> {
          JsonObject defs = new JsonObject();
          flags.definitions().forEach((name, flag) -> defs.put(name, flag.toJson()));
          BusReplies.reply(message, Future.succeededFuture(new JsonObject().put("features", defs)));
        }).completion());
  }

  @Override
  public Future<?> stop() {
    if (flags != null) {
      flags.close();
    }
    return Future.succeededFuture();
  }
}
