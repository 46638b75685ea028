package io.xredline.error;

import io.vertx.core.json.JsonObject;

/**
 * The one error type: a reason, a message for people and optional metadata. Thrown or failed by
 * capabilities, carried over the event bus as JSON, rendered by each transport from the same fields.
 */
public final class AppError extends RuntimeException {
  private final Reason reason;
  private final JsonObject metadata;

  public AppError(Reason reason, String message) {
    this(reason, message, new JsonObject());
  }

  public AppError(Reason reason, String message, JsonObject metadata) {
    super(message, null, false, false);
    this.reason = reason;
    this.metadata = metadata == null ? new JsonObject() : metadata;
  }

  public static AppError validation(String field, String message) {
    return new AppError(Reason.VALIDATION_FAILED, message, new JsonObject().put("field", field));
  }

  public Reason reason() {
    return reason;
  }

  public int status() {
    return reason.status();
  }

  public JsonObject metadata() {
    return metadata;
  }

  public JsonObject toJson() {
    return new JsonObject().put("reason", reason.name()).put("message", getMessage()).put("metadata", metadata);
  }

  public static AppError fromJson(JsonObject json) {
    Reason reason;
    try {
      reason = Reason.valueOf(json.getString("reason", "INTERNAL"));
    } catch (IllegalArgumentException e) {
      reason = Reason.INTERNAL;
    }
    return new AppError(reason, json.getString("message", "internal error"), json.getJsonObject("metadata"));
  }
}
