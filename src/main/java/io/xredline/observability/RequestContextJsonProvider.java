package io.xredline.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import net.logstash.logback.composite.AbstractJsonProvider;

import java.io.IOException;
import java.util.Map;

/**
 * Writes {@code request_id}, {@code trace_id} and {@code span_id} of the request the logging
 * thread is handling (CONTRACT §7). Read at encode time, so it needs a synchronous appender (the
 * console appender is); explicit MDC values are the fallback off Vert.x threads.
 */
public final class RequestContextJsonProvider extends AbstractJsonProvider<ILoggingEvent> {
  public static final String REQUEST_ID = "request_id";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    RequestContext request = RequestContext.current();
    Map<String, String> mdc = event.getMDCPropertyMap();
    write(generator, REQUEST_ID, request != null ? request.requestId() : mdc.get(REQUEST_ID));
    write(generator, TRACE_ID, request != null ? request.traceId() : mdc.get(TRACE_ID));
    write(generator, SPAN_ID, request != null ? request.spanId() : mdc.get(SPAN_ID));
  }

  private static void write(JsonGenerator generator, String field, String value) throws IOException {
    if (value != null) {
      generator.writeStringField(field, value);
    }
  }
}
