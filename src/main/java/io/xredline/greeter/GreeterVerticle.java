package io.xredline.greeter;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;
import io.xredline.bus.CapabilityVerticle;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.error.AppError;
import io.xredline.observability.QueryMetrics;
import io.xredline.observability.RequestContext;

/** The greeting capability, reachable only on {@link GreeterApi#SAY_HELLO}. */
public final class GreeterVerticle extends CapabilityVerticle {
  static final int MAX_NAME_LENGTH = 100;

  private GreetingStore store;

  public GreeterVerticle(AppConfig config, Backends backends) {
    super(config, backends);
  }

  @Override
  public Future<?> start() {
    store = new GreetingStore(pool(), QueryMetrics.of(vertx, config.data().database()));
    return this.<JsonObject>serveClustered(GreeterApi.SAY_HELLO, this::sayHello);
  }

  private void sayHello(Message<JsonObject> message) {
    GreeterApi.SayHello request = GreeterApi.SayHello.fromJson(message.body());
    String name = request.name();
    if (name == null || name.isBlank()) {
      BusReplies.fail(message, AppError.validation("name", "name is required"));
      return;
    }
    if (name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
      BusReplies.fail(message, AppError.validation("name", "name must be at most " + MAX_NAME_LENGTH + " characters"));
      return;
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      BusReplies.fail(message, AppError.validation("name", "name must not contain control characters"));
      return;
    }
    String requestId = message.headers().get(RequestContext.REQUEST_ID_HEADER);
    BusReplies.reply(message, store.record(name, request.transport(), requestId)
        .map(v -> new GreeterApi.Greeting("Hello " + name).toJson()));
  }

  @Override
  public Future<?> stop() {
    return release();
  }
}
