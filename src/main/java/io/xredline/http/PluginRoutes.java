package io.xredline.http;

import io.vertx.ext.web.Router;
import io.xredline.plugins.PluginsApi;

/** {@code GET /api/v1/admin/plugins} (role admin): every plugin found, its state and its failures. */
final class PluginRoutes {
  private final long busTimeoutMs;

  PluginRoutes(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    router.get("/api/v1/admin/plugins")
        .handler(BearerAuth.withRole(AuditRoutes.ADMIN, "the plugin list is for administrators", busTimeoutMs))
        .handler(ctx -> PluginsApi.list(ctx.vertx().eventBus(), RequestIds.of(ctx), busTimeoutMs)
            // plugins switched off (plugins.enabled: false): nobody answers, and there are none
            .recover(e -> io.vertx.core.Future.succeededFuture(new io.vertx.core.json.JsonObject()
                .put("plugins", new io.vertx.core.json.JsonArray())))
            .onSuccess(body -> Responses.json(ctx, 200, body)));
  }
}
