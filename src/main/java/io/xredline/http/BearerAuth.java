package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.xredline.auth.AuthApi;

/**
 * The one REST auth handler: asks the auth capability whether the {@code Authorization: Bearer}
 * token is a live access token (signature, claims, deny-list, session) and keeps the principal for
 * the route; otherwise ends the request with the capability's reason.
 */
public final class BearerAuth implements Handler<RoutingContext> {
  private static final String PRINCIPAL = "xredline.principal";
  private final long busTimeoutMs;

  public BearerAuth(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    AuthApi.authenticate(ctx.vertx().eventBus(), ctx.request().getHeader("Authorization"), caller(ctx), busTimeoutMs)
        .onSuccess(principal -> {
          ctx.put(PRINCIPAL, principal);
          ctx.next();
        })
        .onFailure(e -> HttpErrors.sendFailure(ctx, e));
  }

  static AuthApi.Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  static AuthApi.Caller caller(RoutingContext ctx) {
    return new AuthApi.Caller(RequestIds.of(ctx),
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().host());
  }
}
