package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops one known false alarm: Micrometer (1.13.9 and later) warns when a gauge is registered
 * twice, and vertx-micrometer-metrics 5.0 registers its own gauges again by design on every
 * handler registration and every received message to find the shared counter
 * (vert-x3/vertx-micrometer-metrics#259, micrometer-metrics/micrometer#6931). Only Vert.x's
 * {@code vertx.*} meters are dropped: a double registration of one of ours still warns.
 */
public final class VertxGaugeReRegistration extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String VERTX_METER = "has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == Level.WARN && format != null && LOGGER.equals(logger.getName()) && format.contains(VERTX_METER)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
