package io.xredline.bench.jmh;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.xredline.observability.AccessLog;
import io.xredline.observability.LogMasking;
import io.xredline.observability.LogSetup;
import io.xredline.observability.MaskingLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;

/**
 * The log path of one request: the access line through the real logger, the JSON encoder
 * (LogstashEncoder + request ids + MaskingJsonDecorator) and the text layout (pattern + masking)
 * on a typical event, and the masking rules alone. Output goes to a stream that only counts.
 */
@State(Scope.Benchmark)
public class LogLineBenchmark extends HotPathRun {
  /** {@code plain}: nothing to mask; {@code pii}: an email, a phone and a token to mask. */
  @Param({"plain", "pii"})
  public String message;

  private Encoder<ILoggingEvent> json;
  private MaskingLayout text;
  private ILoggingEvent event;
  private String rendered;

  static final class CountingStream extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

  @Setup
  public void setUp() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    json = LogSetup.encoder(context, "json");
    OutputStreamAppender<ILoggingEvent> sink = new OutputStreamAppender<>();
    sink.setContext(context);
    sink.setName("jmh");
    sink.setEncoder(json);
    sink.setOutputStream(new CountingStream());
    sink.setImmediateFlush(false);
    sink.start();
    root.addAppender((Appender<ILoggingEvent>) sink);
    root.setLevel(Level.INFO);
    text = new MaskingLayout();
    text.setContext(context);
    text.start();
    String line = "plain".equals(message)
        ? "greeting not recorded: connection to 127.0.0.1:5432 refused, will retry"
        : "login failed for alice.smith@example.com (phone 13812345678) with Authorization: Bearer "
            + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ reason=INVALID_CREDENTIALS";
    LoggingEvent e = new LoggingEvent("io.xredline.auth.SignIn", context.getLogger("io.xredline.auth.SignIn"),
        Level.WARN, line, null, null);
    e.setThreadName("vert.x-eventloop-thread-1");
    event = e;
    rendered = line;
  }

  /** The access logger's level: {@code info} writes the line (production default), {@code warn} filters it (bench runs). */
  @State(Scope.Benchmark)
  public static class AccessLevel {
    @Param({"info", "warn"})
    public String level;

    @Setup
    public void setUp() {
      ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(AccessLog.LOGGER).setLevel(Level.toLevel(level));
    }
  }

  /** One access line; the message parameter does not apply (the line has no free text). */
  @Benchmark
  public void accessLine(AccessLevel access) {
    AccessLog.write("GET", "/api/v1/auth/me", 200, System.nanoTime() - 250_000, "127.0.0.1");
  }

  @Benchmark
  public byte[] jsonEncoderEvent() {
    return json.encode(event);
  }

  @Benchmark
  public String maskingLayoutEvent() {
    return text.doLayout(event);
  }

  @Benchmark
  public void maskOnly(Blackhole hole) {
    hole.consume(LogMasking.mask(rendered));
  }

  /** The same text through every detector, unscreened: what {@code maskOnly} cost before the one-pass screen. */
  @Benchmark
  public void maskEveryDetector(Blackhole hole) throws Throwable {
    hole.consume((String) EVERY_DETECTOR.invokeExact(rendered, false));
  }

  private static final java.lang.invoke.MethodHandle EVERY_DETECTOR = everyDetector();

  private static java.lang.invoke.MethodHandle everyDetector() {
    try {
      java.lang.reflect.Method m = LogMasking.class.getDeclaredMethod("mask", String.class, boolean.class);
      m.setAccessible(true);
      return java.lang.invoke.MethodHandles.lookup().unreflect(m);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
