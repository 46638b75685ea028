package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * {@code log.format: text}, for people at a terminal: one aligned line per event,
 * {@code time level logger message [request id]}, optionally in ANSI colours, every part that
 * can carry data passed through {@link LogMasking} before any colour is added. Exceptions add
 * their causes and a few frames, indented, under the line.
 */
public final class MaskingLayout extends LayoutBase<ILoggingEvent> {
  static final int LOGGER_WIDTH = 28;
  static final int FRAMES = 6;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
  private static final String RESET = "\u001b[0m";
  private static final String DIM = "\u001b[2m";
  private static final String CYAN = "\u001b[36m";

  private final boolean colour;
  private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(LOGGER_WIDTH);

  public MaskingLayout() {
    this(false);
  }

  public MaskingLayout(boolean colour) {
    this.colour = colour;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(160);
    paint(line, DIM, TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
    line.append(' ');
    paint(line, levelColour(event.getLevel()), pad(event.getLevel().toString(), 5));
    line.append(' ');
    paint(line, CYAN, pad(abbreviate(event.getLoggerName()), LOGGER_WIDTH));
    line.append(' ').append(LogMasking.mask(event.getFormattedMessage()));
    RequestContext request = RequestContext.current();
    String requestId = request != null ? request.requestId() : event.getMDCPropertyMap().get(RequestContextJsonProvider.REQUEST_ID);
    if (requestId != null && !requestId.isEmpty()) {
      line.append("  ");
      paint(line, DIM, "[" + LogMasking.mask(requestId) + "]");
    }
    line.append(System.lineSeparator());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      String header = (t == event.getThrowableProxy() ? "    " : "    caused by ") + t.getClassName()
          + (t.getMessage() == null ? "" : ": " + t.getMessage());
      paint(line, colour ? "\u001b[31m" : "", LogMasking.mask(header));
      line.append(System.lineSeparator());
      StackTraceElementProxy[] frames = t.getStackTraceElementProxyArray();
      for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
        paint(line, DIM, "        at " + frames[i].getStackTraceElement());
        line.append(System.lineSeparator());
      }
      if (frames.length > FRAMES) {
        paint(line, DIM, "        … " + (frames.length - FRAMES) + " more");
        line.append(System.lineSeparator());
      }
    }
    return line.toString();
  }

  private String abbreviate(String logger) {
    return logger.length() <= LOGGER_WIDTH ? logger : abbreviator.abbreviate(logger);
  }

  private static String pad(String text, int width) {
    if (text.length() >= width) {
      return text.substring(0, width);
    }
    return text + " ".repeat(width - text.length());
  }

  private void paint(StringBuilder line, String code, String text) {
    if (colour && !code.isEmpty()) {
      line.append(code).append(text).append(RESET);
    } else {
      line.append(text);
    }
  }

  private static String levelColour(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> "\u001b[1;31m";
      case Level.WARN_INT -> "\u001b[33m";
      case Level.INFO_INT -> "\u001b[32m";
      case Level.DEBUG_INT -> "\u001b[34m";
      default -> DIM;
    };
  }
}
