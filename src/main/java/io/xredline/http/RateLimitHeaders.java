package io.xredline.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.xredline.ratelimit.RateLimiter;

/**
 * {@code RateLimit-Policy} and {@code RateLimit} as Structured Field lists of one item each
 * (draft-ietf-httpapi-ratelimit-headers-10): {@code "login_ip";q=20;w=60} and
 * {@code "login_ip";r=0;t=42} — quota, window and remaining units in requests, {@code t} the
 * seconds until more quota is available.
 */
final class RateLimitHeaders {
  static final String POLICY = "RateLimit-Policy";
  static final String LIMIT = "RateLimit";

  private RateLimitHeaders() {
  }

  static void add(HttpServerResponse response, RateLimiter.Decision d) {
    if (d.limited()) {
      add(response, d.policy(), d.quota(), d.windowSeconds(), d.remaining(), d.resetSeconds());
    }
  }

  /** From a RATE_LIMITED error's metadata (it may have crossed the bus as JSON). */
  static void add(HttpServerResponse response, JsonObject metadata) {
    Object policy = metadata.getValue("policy");
    if (policy instanceof String name && name.matches("[a-z_]{1,64}")) {
      add(response, name, number(metadata, "quota"), number(metadata, "window_seconds"),
          number(metadata, "remaining"), number(metadata, "retry_after_seconds"));
    }
  }

  private static void add(HttpServerResponse response, String policy, long quota, long window, long remaining,
                          long reset) {
    response.putHeader(POLICY, "\"" + policy + "\";q=" + quota + ";w=" + window);
    response.putHeader(LIMIT, "\"" + policy + "\";r=" + remaining + ";t=" + reset);
  }

  private static long number(JsonObject metadata, String key) {
    return metadata.getValue(key) instanceof Number n ? Math.max(0, n.longValue()) : 0;
  }
}
