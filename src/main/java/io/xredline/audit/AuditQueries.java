package io.xredline.audit;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.BusReplies;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

/** Answers {@link AuditApi#QUERY} with a page of the trail; a database failure is 503, never internals. */
final class AuditQueries {
  private final AuditTrail trail;

  AuditQueries(AuditTrail trail) {
    this.trail = trail;
  }

  void answer(Message<JsonObject> message) {
    AuditApi.Query query;
    try {
      query = AuditApi.Query.fromJson(message.body());
    } catch (RuntimeException e) {
      BusReplies.fail(message, AppError.validation("query", "malformed audit query"));
      return;
    }
    BusReplies.reply(message, trail.page(query).map(AuditApi.Page::toJson)
        .recover(e -> Future.failedFuture(e instanceof AppError ? e
            : new AppError(Reason.SERVICE_UNAVAILABLE, "audit trail unavailable"))));
  }
}
