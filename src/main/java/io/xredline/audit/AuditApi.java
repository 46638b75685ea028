package io.xredline.audit;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;
import io.xredline.bus.LoopAffinity;

import java.time.Instant;

/**
 * The audit capability's bus contract: {@link #QUERY} answers pages of the trail, newest first. What
 * it records are the auth events, as {@link io.xredline.auth.AuthApi#EVENTS_PREFIX} declares them.
 */
public final class AuditApi {
  public static final String QUERY = "xredline.audit.query";
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;

  private AuditApi() {
  }

  /** {@code user} matches a user id or a username (case-insensitive); {@code before} is the cursor. */
  public record Query(String user, Instant from, Instant to, int limit, Long before) {
    public JsonObject toJson() {
      return new JsonObject().put("user", user).put("from", from == null ? null : from.toString())
          .put("to", to == null ? null : to.toString()).put("limit", limit).put("before", before);
    }

    public static Query fromJson(JsonObject json) {
      String from = json.getString("from");
      String to = json.getString("to");
      return new Query(json.getString("user"), from == null ? null : Instant.parse(from),
          to == null ? null : Instant.parse(to), json.getInteger("limit", DEFAULT_LIMIT), json.getLong("before"));
    }
  }

  /** {@code items} newest first; {@code next_cursor} is null on the last page. */
  public record Page(JsonArray items, String nextCursor) {
    public JsonObject toJson() {
      return new JsonObject().put("items", items).put("next_cursor", nextCursor);
    }

    public static Page fromJson(JsonObject json) {
      return new Page(json.getJsonArray("items", new JsonArray()), json.getString("next_cursor"));
    }
  }

  public static Future<Page> query(EventBus bus, Query query, String requestId, long timeoutMs) {
    return LoopAffinity.<JsonObject>request(bus, QUERY, query.toJson(), BusReplies.withRequestId(requestId, timeoutMs))
        .map(reply -> Page.fromJson(reply.body()));
  }
}
