package io.xredline.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The URL is checked once, before any route decodes it: well-formed percent-encoding, UTF-8, no
 * control characters, a bounded number of query parameters, none given twice, none oversized.
 * Anything else is 400 BAD_REQUEST here, instead of an exception deep in a route (a 500).
 */
final class InputChecks {
  static final int MAX_PARAMETERS = 32;
  static final int MAX_VALUE_LENGTH = 1024;
  private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
      HttpMethod.DELETE);

  private InputChecks() {
  }

  /** True when the URL is refused: the 400 is then sent. The path is not null when false. */
  static boolean refused(RoutingContext ctx) {
    AppError problem = problem(ctx.request());
    if (problem != null) {
      HttpErrors.send(ctx, problem);
      return true;
    }
    return false;
  }

  /**
   * In front of the body handler: it throws (a 500) for a form or multipart body on a method
   * without one (GET, HEAD, …), and no route here reads forms anyway.
   */
  static void body(RoutingContext ctx, Handler<RoutingContext> bodies) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    boolean form = lower.contains("application/x-www-form-urlencoded") || lower.contains("multipart/");
    if (form && !BODY_METHODS.contains(ctx.request().method())) {
      ctx.request().resume();
      HttpErrors.send(ctx, new AppError(Reason.BAD_REQUEST, "a form body is not accepted with " + ctx.request().method()));
      return;
    }
    bodies.handle(ctx);
  }

  /** The first thing wrong with the request's URL, or {@code null}. */
  static AppError problem(HttpServerRequest request) {
    String path = request.path();
    if (path == null || decode(path, false) == null) {
      return new AppError(Reason.BAD_REQUEST, "malformed URL path (percent-encoding, UTF-8 or control characters)");
    }
    String query = request.query();
    if (query == null || query.isEmpty()) {
      return null;
    }
    Set<String> names = new HashSet<>();
    int count = 0;
    for (String pair : query.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      if (++count > MAX_PARAMETERS) {
        return new AppError(Reason.BAD_REQUEST, "more than " + MAX_PARAMETERS + " query parameters");
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
      if (name == null || value == null) {
        return new AppError(Reason.BAD_REQUEST, "malformed query string (percent-encoding, UTF-8 or control characters)");
      }
      if (name.length() > 64 || value.length() > MAX_VALUE_LENGTH) {
        return new AppError(Reason.BAD_REQUEST, "query parameter too long (at most " + MAX_VALUE_LENGTH + " characters)");
      }
      if (!names.add(name)) {
        return new AppError(Reason.BAD_REQUEST, "query parameter given more than once: " + printable(name));
      }
    }
    return null;
  }

  /** Strict percent-decoding to UTF-8; {@code null} for a bad escape, invalid UTF-8 or a control character. */
  static String decode(String raw, boolean plusIsSpace) {
    if (plain(raw, plusIsSpace)) {
      return raw; // nothing to decode, and printable ASCII is valid UTF-8 without controls
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int hi = hex(raw.charAt(i + 1));
        int lo = hex(raw.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c > 0x7e || c < 0x20) {
        return null;
      } else {
        bytes.write(plusIsSpace && c == '+' ? ' ' : c);
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        return null;
      }
    }
    return text;
  }

  /** Only printable ASCII, no escape (and no '+' to read as a space): the common URL, decoded as it is. */
  private static boolean plain(String raw, boolean plusIsSpace) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '%' || (plusIsSpace && c == '+')) {
        return false;
      }
    }
    return true;
  }

  /** ASCII hex only: {@link Character#digit} would also take other scripts' digits. */
  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  private static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7E]", "?");
    return p.length() > 64 ? p.substring(0, 64) : p;
  }
}
