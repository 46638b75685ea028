package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.vertx.core.json.JsonObject;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("logging before the configuration is read: JSON lines as LogSetup writes them, unless logback is pointed at a file")
class StartupLoggingTest {

  private static LoggerContext configured() {
    LoggerContext context = new LoggerContext();
    StartupLogging startup = new StartupLogging();
    startup.setContext(context);
    assertThat(startup.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    return context;
  }

  private static LoggingEvent event(LoggerContext context) {
    LoggingEvent event = new LoggingEvent("xredline.test", context.getLogger("xredline.lifecycle"), Level.WARN,
        "configuration: token=abc.def.ghi for test@example.com", null, null);
    event.setMDCPropertyMap(Map.of("request_id", "req-1", "tenant", "t1"));
    event.setTimeStamp(1_735_732_800_123L);
    return event;
  }

  @Test
  @DisplayName("the console appender writes what LogSetup's json format writes: same fields, same masking")
  void sameLinesAsLogSetup() {
    LoggerContext context = configured();
    var appender = (ConsoleAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console");
    assertThat(appender).isNotNull();
    assertThat(appender.isStarted()).isTrue();
    assertThat(appender.getEncoder()).isInstanceOf(LogstashEncoder.class);
    String line = new String(appender.getEncoder().encode(event(context)), StandardCharsets.UTF_8);
    String logSetups = new String(LogSetup.encoder(context, "json").encode(event(context)), StandardCharsets.UTF_8);
    assertThat(line).isEqualTo(logSetups);
    JsonObject json = new JsonObject(line);
    assertThat(json.fieldNames()).contains("@timestamp", "message", "logger", "thread", "level", "request_id")
        .doesNotContain("level_value", "@version");
    assertThat(json.getString("@timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
    assertThat(json.getString("message")).contains("token=****", "te**@example.com").doesNotContain("abc.def.ghi");
  }

  @Test
  @DisplayName("levels and filters of the shipped set-up: root INFO, libraries that chatter at WARN, Vert.x's gauge false alarm dropped")
  void levelsAndFilters() {
    LoggerContext context = configured();
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
    for (String quiet : new String[] {"org.flywaydb", "com.hazelcast", "io.zonky", "io.netty"}) {
      assertThat(context.getLogger(quiet).getLevel()).as(quiet).isEqualTo(Level.WARN);
    }
    assertThat(context.getTurboFilterList()).singleElement().isInstanceOf(VertxGaugeReRegistration.class);
  }

  @Test
  @DisplayName("the service's own logging context was set up by it (found through META-INF/services)")
  void installed() {
    var context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console")).isNotNull();
    assertThat(context.getTurboFilterList()).anyMatch(f -> f instanceof VertxGaugeReRegistration);
    assertThat(context.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  @DisplayName("-Dlogback.configurationFile still wins: the set-up steps aside and leaves the context to logback's file")
  void configurationFileWins() {
    String before = System.getProperty("logback.configurationFile");
    System.setProperty("logback.configurationFile", "/somewhere/logback-ops.xml");
    try {
      LoggerContext context = new LoggerContext();
      StartupLogging startup = new StartupLogging();
      startup.setContext(context);
      assertThat(startup.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
      assertThat(context.getTurboFilterList()).isEmpty();
    } finally {
      if (before == null) {
        System.clearProperty("logback.configurationFile");
      } else {
        System.setProperty("logback.configurationFile", before);
      }
    }
    assertThat(StartupLogging.configuredElsewhere()).as("no logback.xml in the jar any more").isFalse();
  }
}
