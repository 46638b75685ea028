package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.xredline.config.AppConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/** Applies {@code log.level} and {@code log.format} once the configuration is known. */
public final class LogSetup {
  /** Start-up and shutdown lines an operator always needs, whatever log.level says. */
  public static final String LIFECYCLE_LOGGER = "xredline.lifecycle";

  private LogSetup() {
  }

  public static void apply(AppConfig.Log log) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(log.level(), Level.INFO));
    context.getLogger(LIFECYCLE_LOGGER).setLevel(Level.INFO);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder(context, log.format()));
    console.start();
    root.detachAndStopAllAppenders();
    root.addAppender(console);
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
    if ("text".equals(format)) {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} %X{request_id:-} %msg%n%ex{short}");
      text.start();
      return text;
    }
    LogstashEncoder json = new LogstashEncoder();
    json.setContext(context);
    json.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    json.setFieldNames(fieldNames());
    json.start();
    return json;
  }

  private static net.logstash.logback.fieldnames.LogstashFieldNames fieldNames() {
    net.logstash.logback.fieldnames.LogstashFieldNames names = new net.logstash.logback.fieldnames.LogstashFieldNames();
    names.setLogger("logger");
    names.setThread("thread");
    names.setLevelValue("[ignore]");
    names.setVersion("[ignore]");
    return names;
  }
}
