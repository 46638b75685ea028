package io.xredline.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.greeter.GreeterApi;

/** {@code GET /helloworld/{name}} and its JSON twin {@code POST /helloworld}: wire ⇄ bus, nothing else. */
final class GreeterRoutes {
  private final long busTimeoutMs;

  GreeterRoutes(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    router.get("/helloworld/:name").handler(ctx -> greet(ctx, ctx.pathParam("name")));
    router.post("/helloworld").consumes("application/json").handler(this::greetJson);
  }

  private void greetJson(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    greet(ctx, JsonBodies.string(body, "name"));
  }

  private void greet(RoutingContext ctx, String name) {
    GreeterApi.sayHello(ctx.vertx().eventBus(), new GreeterApi.SayHello(name, "http"), RequestIds.of(ctx), busTimeoutMs)
        .onSuccess(greeting -> Responses.json(ctx, 200, greeting.toJson()))
        .onFailure(e -> HttpErrors.sendFailure(ctx, e));
  }
}
