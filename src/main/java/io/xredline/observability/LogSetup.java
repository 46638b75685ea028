package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.xredline.config.AppConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Applies {@code log.level}, {@code log.format} and {@code log.color} once the configuration is
 * known, and again for {@code log.level} when the configuration file changes. Both formats carry
 * the request's id and pass through {@link LogMasking}.
 */
public final class LogSetup {
  /** Start-up and shutdown lines an operator always needs, whatever log.level says. */
  public static final String LIFECYCLE_LOGGER = "xredline.lifecycle";

  private LogSetup() {
  }

  /** Whether stdout is a terminal a person reads; the JDK answers for stdin and stdout together. */
  public static boolean terminal() {
    return System.console() != null;
  }

  /** {@code auto}: text for a person at a terminal in dev, JSON for everything else (pipes, files, collectors). */
  public static String format(AppConfig.Log log, String env, boolean terminal) {
    if (!"auto".equals(log.format())) {
      return log.format();
    }
    return terminal && "dev".equals(env) ? "text" : "json";
  }

  /** ANSI colours only on text lines: {@code always}, or {@code auto} at a terminal unless NO_COLOR is set. */
  public static boolean colour(AppConfig.Log log, boolean terminal, String noColor) {
    return switch (log.color()) {
      case "always" -> true;
      case "never" -> false;
      default -> terminal && (noColor == null || noColor.isEmpty());
    };
  }

  public static void apply(AppConfig.Log log, String env) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    boolean terminal = terminal();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder(context, format(log, env, terminal), colour(log, terminal, System.getenv("NO_COLOR"))));
    console.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(console);
    level(log.level());
  }

  /** Changes the root level at runtime; the lifecycle logger stays at INFO. */
  public static void level(String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
    context.getLogger(LIFECYCLE_LOGGER).setLevel(Level.INFO);
  }

  public static String level() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return null;
    }
    return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel().toString().toLowerCase(java.util.Locale.ROOT);
  }

  public static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
    return encoder(context, format, false);
  }

  public static Encoder<ILoggingEvent> encoder(LoggerContext context, String format, boolean colour) {
    if ("text".equals(format)) {
      MaskingLayout layout = new MaskingLayout(colour);
      layout.setContext(context);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
      text.setContext(context);
      text.setLayout(layout);
      text.setCharset(StandardCharsets.UTF_8);
      text.start();
      return text;
    }
    LogstashEncoder json = new LogstashEncoder();
    json.setContext(context);
    json.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    json.setFieldNames(fieldNames());
    for (String own : new String[] {RequestContextJsonProvider.REQUEST_ID, RequestContextJsonProvider.TRACE_ID,
        RequestContextJsonProvider.SPAN_ID}) {
      json.addExcludeMdcKeyName(own);
    }
    RequestContextJsonProvider ids = new RequestContextJsonProvider();
    ids.setContext(context);
    json.addProvider(ids);
    MaskingJsonDecorator masking = new MaskingJsonDecorator();
    masking.start();
    json.setJsonGeneratorDecorator(masking);
    json.start();
    return json;
  }

  private static LogstashFieldNames fieldNames() {
    LogstashFieldNames names = new LogstashFieldNames();
    names.setLogger("logger");
    names.setThread("thread");
    names.setLevelValue("[ignore]");
    names.setVersion("[ignore]");
    return names;
  }
}
