package io.xredline.observability;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static net.logstash.logback.argument.StructuredArguments.keyValue;
import static net.logstash.logback.argument.StructuredArguments.value;

/**
 * The one access line per HTTP request and per gRPC call (CONTRACT §7): {@code method},
 * {@code route} (a template or full gRPC method name, never a raw path), {@code status},
 * {@code duration_ms}, {@code remote_ip} as JSON fields; request and trace ids come from the
 * request context like on every other line.
 */
public final class AccessLog {
  public static final String LOGGER = "xredline.access";
  private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER);

  private AccessLog() {
  }

  /** False when log.level is above info: then {@link #write} writes nothing. */
  public static boolean enabled() {
    return ACCESS.isInfoEnabled();
  }

  public static void write(String method, String route, Object status, long beganNanos, String remoteIp) {
    if (!ACCESS.isInfoEnabled()) {
      return; // log.level above info: build nothing
    }
    double durationMs = Math.round((System.nanoTime() - beganNanos) / 10_000.0) / 100.0;
    ACCESS.info("{} {} {} {}ms", value("method", method), value("route", route), value("status", status),
        value("duration_ms", durationMs), keyValue("remote_ip", remoteIp));
  }
}
