package io.xredline.http;

import io.vertx.ext.web.Router;
import io.xredline.auth.AuthApi;

/** CONTRACT §10's account administration: {@code POST /api/v1/admin/users/{username}/<action>}, role admin. */
final class AdminRoutes {
  private final long busTimeoutMs;

  AdminRoutes(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    BearerAuth admin = BearerAuth.withRole(AuditRoutes.ADMIN, AuthApi.ADMIN_ONLY, busTimeoutMs);
    for (AuthApi.AdminAction action : AuthApi.AdminAction.values()) {
      router.post("/api/v1/admin/users/:username/" + action.path).handler(admin).handler(ctx ->
          AuthRoutes.answer(ctx, 200, (bus, origin) -> AuthApi.admin(bus, BearerAuth.principal(ctx), action,
              ctx.pathParam("username"), origin, busTimeoutMs).map(AuthApi.SUCCESS)));
    }
  }
}
