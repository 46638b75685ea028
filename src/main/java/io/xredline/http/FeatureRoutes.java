package io.xredline.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.auth.AuthApi;
import io.xredline.features.FeatureFlags;
import io.xredline.features.FeaturesApi;

/**
 * CONTRACT §12: {@code GET /api/v1/features} (signed in) → the flags as they apply to the caller;
 * {@code GET /api/v1/admin/features} (role admin) → the definitions.
 */
final class FeatureRoutes {
  private final long busTimeoutMs;

  FeatureRoutes(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    router.get("/api/v1/features").handler(BearerAuth.signedInWithRoles(busTimeoutMs)).handler(this::forCaller);
    router.get("/api/v1/admin/features")
        .handler(BearerAuth.withRole(AuditRoutes.ADMIN, "flag definitions are for administrators", busTimeoutMs))
        .handler(ctx -> FeaturesApi.definitions(ctx.vertx().eventBus(), RequestIds.of(ctx), busTimeoutMs)
            .onSuccess(body -> Responses.json(ctx, 200, body))
            .onFailure(e -> HttpErrors.sendFailure(ctx, e)));
  }

  private void forCaller(RoutingContext ctx) {
    AuthApi.Principal principal = BearerAuth.principal(ctx);
    FeatureFlags.Caller caller = new FeatureFlags.Caller(String.valueOf(principal.userId()), principal.username(),
        BearerAuth.roles(ctx));
    FeaturesApi.evaluate(ctx.vertx().eventBus(), caller, RequestIds.of(ctx), busTimeoutMs)
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(e -> HttpErrors.sendFailure(ctx, e));
  }
}
