package io.xredline.observability;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;

/**
 * {@code log.format: text}: a pattern line with the request's ids ({@code %requestIds}), the
 * whole of it passed through {@link LogMasking}.
 */
public final class MaskingLayout extends LayoutBase<ILoggingEvent> {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} [%requestIds] %msg%n%ex{short}";
  private final PatternLayout pattern = new PatternLayout();

  /** {@code request_id trace_id/span_id}, or {@code -} outside a request. */
  public static final class RequestIdsConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
      RequestContext request = RequestContext.current();
      if (request == null) {
        return "-";
      }
      return (request.requestId() == null ? "-" : request.requestId()) + " " + request.traceId() + "/" + request.spanId();
    }
  }

  @Override
  public void start() {
    pattern.setContext(getContext());
    pattern.getInstanceConverterMap().put("requestIds", RequestIdsConverter::new);
    pattern.setPattern(PATTERN);
    pattern.start();
    super.start();
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return LogMasking.mask(pattern.doLayout(event));
  }
}
