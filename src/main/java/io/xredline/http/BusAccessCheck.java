package io.xredline.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.AuthApi;
import io.xredline.bus.BusReplies;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * {@link AccessCheck} answered by the auth capability on {@link AuthApi#AUTHORIZE}: request
 * {@code {"authorization": "Bearer …"}}, reply {@code {"user_id", "username", "roles": [..]}} or an
 * AppError failure (token missing, invalid, expired, deny-listed).
 */
final class BusAccessCheck implements AccessCheck {

  private final EventBus bus;
  private final long timeoutMs;

  BusAccessCheck(EventBus bus, long timeoutMs) {
    this.bus = bus;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Caller> authenticate(String authorization, String requestId) {
    if (authorization == null || authorization.isBlank()) {
      return Future.failedFuture(new AppError(Reason.TOKEN_MISSING, "an access token is required"));
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
      return Future.failedFuture(new AppError(Reason.INVALID_TOKEN_FORMAT, "authorization must be: Bearer <token>"));
    }
    return bus.<JsonObject>request(AuthApi.AUTHORIZE, new JsonObject().put("authorization", authorization),
            BusReplies.withRequestId(requestId, timeoutMs))
        .map(reply -> caller(reply.body()));
  }

  private static Caller caller(JsonObject principal) {
    Set<String> roles = new HashSet<>();
    JsonArray array = principal.getJsonArray("roles", new JsonArray());
    for (Object role : array) {
      if (role instanceof String r) {
        roles.add(r.toLowerCase(Locale.ROOT));
      }
    }
    Object id = principal.getValue("user_id");
    return new Caller(id == null ? null : String.valueOf(id), principal.getString("username"), roles);
  }
}
