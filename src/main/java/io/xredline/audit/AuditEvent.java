package io.xredline.audit;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One auth event as it arrived on the bus, in the columns of {@code operation_logs}; whatever the
 * columns do not hold is kept in {@code details}.
 */
record AuditEvent(Instant at, String kind, Long userId, String username, String ip, String requestId, String outcome,
                  JsonObject details) {
  private static final String[] COLUMNS = {"at", "kind", "user_id", "username", "ip", "request_id", "outcome"};
  static final int MAX_KIND = 64;

  /**
   * Reads a JSON object (or its text) leniently: a missing or malformed time is now, a missing kind
   * comes from the address, a missing request id from the bus header. Null when the body is not JSON.
   */
  static AuditEvent parse(String kindFromAddress, Object body, String headerRequestId) {
    JsonObject json;
    if (body instanceof JsonObject object) {
      json = object;
    } else if (body instanceof String text) {
      try {
        json = new JsonObject(text);
      } catch (RuntimeException e) {
        return null;
      }
    } else {
      return null;
    }
    Instant at;
    try {
      at = json.getString("at") == null ? Instant.now() : Instant.parse(json.getString("at"));
    } catch (DateTimeParseException | ClassCastException e) {
      at = Instant.now();
    }
    Object userId = json.getValue("user_id");
    Long id = userId instanceof Number n ? n.longValue() : parseLong(userId);
    String kind = json.getValue("kind") instanceof String k && !k.isBlank() ? k : kindFromAddress;
    JsonObject details = json.copy();
    for (String column : COLUMNS) {
      details.remove(column);
    }
    String requestId = json.getValue("request_id") instanceof String r ? r : headerRequestId;
    return new AuditEvent(at, truncate(kind, MAX_KIND), id, str(json, "username"), str(json, "ip"), requestId,
        str(json, "outcome"), details);
  }

  private static Long parseLong(Object value) {
    if (value instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String str(JsonObject json, String field) {
    Object value = json.getValue(field);
    return value instanceof String s ? s : value == null ? null : String.valueOf(value);
  }

  private static String truncate(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }
}
