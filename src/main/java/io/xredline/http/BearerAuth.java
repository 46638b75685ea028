package io.xredline.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.xredline.auth.AuthApi;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

/**
 * The one REST auth handler: asks the auth capability whether the {@code Authorization: Bearer}
 * token is a live access token (signature, claims, deny-list, session), and for a route that
 * needs a role whether the account holds it now; keeps the principal for the route, otherwise
 * ends the request with the capability's reason (or FORBIDDEN). The header is parsed only there.
 */
public final class BearerAuth implements Handler<RoutingContext> {
  private static final String PRINCIPAL = "xredline.principal";
  private static final String ROLES = "xredline.roles";
  private final long busTimeoutMs;
  /** Null when any signed-in account will do. */
  private final Role required;

  /** {@code refusal} is the FORBIDDEN message for an account without the role. */
  private record Role(String name, String refusal) {
  }

  private BearerAuth(long busTimeoutMs, Role required) {
    this.busTimeoutMs = busTimeoutMs;
    this.required = required;
  }

  /** Any signed-in account. */
  public static BearerAuth signedIn(long busTimeoutMs) {
    return new BearerAuth(busTimeoutMs, null);
  }

  /** Any signed-in account, with its current roles kept for the route ({@link #roles}). */
  public static BearerAuth signedInWithRoles(long busTimeoutMs) {
    return new BearerAuth(busTimeoutMs, new Role(null, null));
  }

  /** An account holding {@code role}; others get 403 FORBIDDEN with {@code refusal} as the message. */
  public static BearerAuth withRole(String role, String refusal, long busTimeoutMs) {
    return new BearerAuth(busTimeoutMs, new Role(role, refusal));
  }

  @Override
  public void handle(RoutingContext ctx) {
    principalFor(ctx)
        .onSuccess(principal -> {
          ctx.put(PRINCIPAL, principal);
          ctx.next();
        })
        .onFailure(e -> HttpErrors.sendFailure(ctx, e));
  }

  private Future<AuthApi.Principal> principalFor(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (required == null) {
      return AuthApi.authenticate(ctx.vertx().eventBus(), authorization, origin(ctx), busTimeoutMs);
    }
    return AuthApi.authorize(ctx.vertx().eventBus(), authorization, origin(ctx), busTimeoutMs).map(authorized -> {
      ctx.put(ROLES, authorized.roles());
      if (required.name() != null && !authorized.hasRole(required.name())) {
        throw new AppError(Reason.FORBIDDEN, required.refusal());
      }
      return authorized.principal();
    });
  }

  static AuthApi.Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** The roles read by {@link #signedInWithRoles} or {@link #withRole}; empty after {@link #signedIn}. */
  static java.util.Set<String> roles(RoutingContext ctx) {
    java.util.Set<String> roles = ctx.get(ROLES);
    return roles == null ? java.util.Set.of() : roles;
  }

  static AuthApi.Origin origin(RoutingContext ctx) {
    return new AuthApi.Origin(RequestIds.of(ctx), ClientIps.of(ctx), ctx.request().getHeader("User-Agent"));
  }
}
