package io.xredline.observability;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging until the configuration is read (then {@link LogSetup} applies log.level and log.format):
 * JSON lines on stdout through LogSetup's encoder, so the same fields and masking (CONTRACT §7),
 * Vert.x's gauge false alarm dropped, chatty libraries at WARN. Built in code, found by logback
 * through META-INF/services, because reading an XML file first cost start-up about a tenth of a
 * second. A {@code -Dlogback.configurationFile}, {@code -Dlogback.scmoFile}, {@code logback-test.xml}
 * or {@code logback.xml} on the class path still wins: logback then reads it as usual.
 */
public final class StartupLogging extends ContextAwareBase implements Configurator {
  static final String[] QUIET = {"org.flywaydb", "com.hazelcast", "io.zonky", "io.netty"};

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (configuredElsewhere()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    VertxGaugeReRegistration gauges = new VertxGaugeReRegistration();
    gauges.setContext(context);
    gauges.start();
    context.addTurboFilter(gauges);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(LogSetup.encoder(context, "json"));
    console.start();
    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(console);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** What logback's own search would find first: a file named by a property, then the class path's. */
  static boolean configuredElsewhere() {
    if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null
        || System.getProperty(ClassicConstants.MODEL_CONFIG_FILE_PROPERTY) != null) {
      return true;
    }
    ClassLoader loader = StartupLogging.class.getClassLoader();
    return loader.getResource(ClassicConstants.TEST_AUTOCONFIG_FILE) != null
        || loader.getResource(ClassicConstants.AUTOCONFIG_FILE) != null;
  }
}
