package io.xredline.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.xredline.config.AppConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds the configured headers to every response; HSTS only when the server speaks TLS. Names and
 * values are encoded once ({@link HttpHeaders#createOptimized}): the response then copies their
 * bytes instead of encoding some 400 characters per request.
 */
final class SecurityHeaders {
  private final CharSequence[] names;
  private final CharSequence[] values;

  SecurityHeaders(AppConfig.Security security) {
    List<CharSequence> n = new ArrayList<>();
    List<CharSequence> v = new ArrayList<>();
    security.headers().values().forEach((name, value) -> {
      if (!value.isEmpty()) {
        n.add(HttpHeaders.createOptimized(name));
        v.add(HttpHeaders.createOptimized(value));
      }
    });
    if (security.tls().enabled() && !security.headers().hstsMaxAge().isZero()) {
      n.add(HttpHeaders.createOptimized("Strict-Transport-Security"));
      v.add(HttpHeaders.createOptimized("max-age=" + security.headers().hstsMaxAge().toSeconds() + "; includeSubDomains"));
    }
    names = n.toArray(new CharSequence[0]);
    values = v.toArray(new CharSequence[0]);
  }

  void add(MultiMap headers) {
    for (int i = 0; i < names.length; i++) {
      headers.add(names[i], values[i]);
    }
  }
}
