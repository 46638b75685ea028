package io.xredline.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import io.vertx.core.json.JsonObject;
import io.xredline.observability.LogSetup;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Every line the service writes while attached, encoded exactly as production encodes it
 * ({@link LogSetup#encoder}, JSON or text), synchronously on the logging thread like the console.
 */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Encoder<ILoggingEvent> encoder;
  private final Logger root;

  private CapturedLogs(String format) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    encoder = LogSetup.encoder(context, format);
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    setContext(context);
    setName("captured-" + format);
    start();
    root.addAppender(this);
  }

  public static CapturedLogs json() {
    return new CapturedLogs("json");
  }

  public static CapturedLogs text() {
    return new CapturedLogs("text");
  }

  @Override
  protected void append(ILoggingEvent event) {
    lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8).trim());
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public List<JsonObject> json(Predicate<JsonObject> filter) {
    return lines.stream().map(JsonObject::new).filter(filter).toList();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
