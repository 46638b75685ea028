package io.xredline.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

/** Reads a JSON object body or fails with a clear 400 (never a 500). */
public final class JsonBodies {
  private JsonBodies() {
  }

  public static JsonObject object(RoutingContext ctx) {
    RequestBody body = ctx.body();
    if (body == null || body.isEmpty()) {
      throw new AppError(Reason.BAD_REQUEST, "request body must be a JSON object");
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(body.buffer());
    } catch (DecodeException e) {
      throw new AppError(Reason.BAD_REQUEST, "malformed JSON body");
    }
    if (!(value instanceof JsonObject object)) {
      throw new AppError(Reason.BAD_REQUEST, "request body must be a JSON object");
    }
    return object;
  }

  /** A string field that must be a JSON string when present. */
  public static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw AppError.validation(field, field + " must be a string");
    }
    return s;
  }
}
