package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("only Vert.x's own gauge re-registrations are kept out of the log")
class VertxGaugeReRegistrationTest {
  private static final LoggerContext CONTEXT = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final VertxGaugeReRegistration filter = new VertxGaugeReRegistration();

  private FilterReply decide(String logger, Level level, String message) {
    return filter.decide(null, CONTEXT.getLogger(logger), level, message, null, null);
  }

  @Test
  @DisplayName("a vertx.* gauge warning from Micrometer is dropped; ours, other levels and other loggers pass")
  void narrow() {
    String vertx = "This Gauge has been already registered (MeterId{name='vertx.eventbus.pending', tags=[]}), the"
        + " registration will be ignored. Note that subsequent logs will be logged at debug level.";
    String ours = vertx.replace("vertx.eventbus.pending", "xredline.health.check.up");
    assertThat(decide(VertxGaugeReRegistration.LOGGER, Level.WARN, vertx)).isEqualTo(FilterReply.DENY);
    assertThat(decide(VertxGaugeReRegistration.LOGGER, Level.WARN, ours)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(VertxGaugeReRegistration.LOGGER, Level.ERROR, vertx)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide("some.other.Logger", Level.WARN, vertx)).isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  @DisplayName("the start-up logging set-up (StartupLogging) installs it")
  void installed() {
    assertThat(CONTEXT.getTurboFilterList()).anyMatch(f -> f instanceof VertxGaugeReRegistration);
  }
}
