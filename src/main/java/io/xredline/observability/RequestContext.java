package io.xredline.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.spi.context.storage.ContextLocal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The correlation ids of the request being handled: request id plus W3C trace and span ids. It
 * lives in a Vert.x context local, so it follows the request's (duplicated) context through
 * futures and timers, and the log encoders read it for every line written while handling it.
 * With tracing on, the ids are the OpenTelemetry span's: the span current when the hop began
 * ({@code fromTracer}; Vert.x leaves a child span current on the context after a bus send), else
 * the span current when the line is written.
 */
public record RequestContext(String requestId, String traceId, String spanId, boolean fromTracer) {
  /**
   * The one name of the request id on every hop: HTTP header (CONTRACT §3), gRPC metadata and bus
   * header. Header names are case-insensitive; HTTP/2 and so gRPC carry it lower-cased.
   */
  public static final String REQUEST_ID_HEADER = "X-Request-ID";
  public static final String TRACEPARENT_HEADER = "traceparent";

  private static final ContextLocal<RequestContext> LOCAL = ContextLocal.registerLocal(RequestContext.class);
  /** {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower-case hex (W3C Trace Context level 1, version 00). */
  private static final int TRACEPARENT_LENGTH = 55;
  private static final String INVALID_TRACE = "0".repeat(32);
  private static final String INVALID_SPAN = "0".repeat(16);

  /** Forces the context local to be registered before the first Vert.x instance is built. */
  public static void init() {
    // class initialisation registers LOCAL
  }

  /** A new hop: trace id from the caller's {@code traceparent} when valid, else a new trace; always a new span. */
  public static RequestContext start(String requestId, String traceparent) {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      return new RequestContext(requestId, span.getTraceId(), span.getSpanId(), true);
    }
    String traceId = null;
    if (traceparent != null) {
      String t = traceparent.trim();
      if (validTraceparent(t)) {
        String candidate = t.substring(3, 35);
        if (!INVALID_TRACE.equals(candidate) && !INVALID_SPAN.regionMatches(0, t, 36, 16)) {
          traceId = candidate;
        }
      }
    }
    return new RequestContext(requestId, traceId == null ? randomHex(32) : traceId, randomHex(16), false);
  }

  /** 1–128 characters of {@code A-Z a-z 0-9 . _ : -} (checked by hand: this runs on every hop). */
  public static boolean saneRequestId(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean validTraceparent(String t) {
    if (t.length() != TRACEPARENT_LENGTH || t.charAt(0) != '0' || t.charAt(1) != '0'
        || t.charAt(2) != '-' || t.charAt(35) != '-' || t.charAt(52) != '-') {
      return false;
    }
    return hex(t, 3, 35) && hex(t, 36, 52) && hex(t, 53, 55);
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** The one request-id rule for every transport: a sane incoming id is kept, anything else replaced. */
  public static String requestIdOrNew(String incoming) {
    return saneRequestId(incoming) ? incoming : newRequestId();
  }

  /**
   * A random (version 4) UUID from the thread's generator: a request id names a request, it guards
   * nothing, so it needs no {@link java.util.UUID#randomUUID()} (a shared SecureRandom, locked, per request).
   */
  static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new java.util.UUID(high, low).toString();
  }

  /** The W3C header a downstream hop continues this trace with. */
  public String traceparent() {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  /** Binds to the current context (the request's duplicated context); no-op off a Vert.x thread. */
  public static void bind(RequestContext request) {
    Context context = Vertx.currentContext();
    if (context != null) {
      context.putLocal(LOCAL, request);
    }
  }

  /**
   * What the current thread is handling, or null. Never throws: a context of a Vert.x instance
   * created before this class was loaded has no slot for the local.
   */
  public static RequestContext current() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return null;
    }
    RequestContext bound;
    try {
      bound = context.getLocal(LOCAL);
    } catch (RuntimeException e) {
      return null;
    }
    if (bound != null && bound.fromTracer()) {
      return bound;
    }
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      return new RequestContext(bound == null ? null : bound.requestId(), span.getTraceId(), span.getSpanId(), true);
    }
    return bound;
  }

  private static String randomHex(int length) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      String chunk = Long.toHexString(random.nextLong() | Long.MIN_VALUE);
      sb.append(chunk, 0, Math.min(chunk.length(), length - sb.length()));
    }
    return sb.toString();
  }
}
