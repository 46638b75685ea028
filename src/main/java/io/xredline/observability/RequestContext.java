package io.xredline.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.spi.context.storage.ContextLocal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

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
  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
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
      var m = TRACEPARENT.matcher(traceparent.trim());
      if (m.matches() && !INVALID_TRACE.equals(m.group(1)) && !INVALID_SPAN.equals(m.group(2))) {
        traceId = m.group(1);
      }
    }
    return new RequestContext(requestId, traceId == null ? randomHex(32) : traceId, randomHex(16), false);
  }

  public static boolean saneRequestId(String id) {
    return id != null && SANE_ID.matcher(id).matches();
  }

  /** The one request-id rule for every transport: a sane incoming id is kept, anything else replaced. */
  public static String requestIdOrNew(String incoming) {
    return saneRequestId(incoming) ? incoming : java.util.UUID.randomUUID().toString();
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
