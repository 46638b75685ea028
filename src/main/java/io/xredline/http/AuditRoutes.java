package io.xredline.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.xredline.audit.AuditApi;
import io.xredline.error.AppError;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** {@code GET /api/v1/audit?user=&from=&to=&limit=&cursor=}: role admin; a page of the trail, newest first. */
final class AuditRoutes {
  static final String ADMIN = "admin";
  private final long busTimeoutMs;

  AuditRoutes(long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    router.get("/api/v1/audit")
        .handler(BearerAuth.withRole(ADMIN, "the audit trail is for administrators", busTimeoutMs))
        .handler(this::page);
  }

  private void page(RoutingContext ctx) {
    AuditApi.query(ctx.vertx().eventBus(), query(ctx), RequestIds.of(ctx), busTimeoutMs)
        .onSuccess(page -> Responses.json(ctx, 200, page.toJson()))
        .onFailure(e -> HttpErrors.sendFailure(ctx, e));
  }

  static AuditApi.Query query(RoutingContext ctx) {
    String user = ctx.queryParams().get("user");
    if (user != null && (user.isBlank() || user.length() > 128)) {
      throw AppError.validation("user", "user must be a user id or username of at most 128 characters");
    }
    Instant from = instant(ctx, "from");
    Instant to = instant(ctx, "to");
    if (from != null && to != null && !from.isBefore(to)) {
      throw AppError.validation("to", "to must be after from");
    }
    int limit = AuditApi.DEFAULT_LIMIT;
    String rawLimit = ctx.queryParams().get("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > AuditApi.MAX_LIMIT) {
        throw AppError.validation("limit", "limit must be between 1 and " + AuditApi.MAX_LIMIT);
      }
    }
    Long before = null;
    String cursor = ctx.queryParams().get("cursor");
    if (cursor != null) {
      try {
        before = Long.parseLong(cursor);
      } catch (NumberFormatException e) {
        throw AppError.validation("cursor", "cursor must be the next_cursor of a previous page");
      }
    }
    return new AuditApi.Query(user == null ? null : user.trim(), from, to, limit, before);
  }

  /** ISO-8601 with an offset ({@code 2025-01-01T00:00:00Z}) or a bare date ({@code 2025-01-01}, UTC). */
  private static Instant instant(RoutingContext ctx, String name) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDate.parse(raw).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw AppError.validation(name, name + " must be an ISO-8601 time such as 2025-01-01T00:00:00Z");
      }
    }
  }
}
