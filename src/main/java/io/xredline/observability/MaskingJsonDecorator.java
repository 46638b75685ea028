package io.xredline.observability;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;

import java.util.Set;

/**
 * Masks every string value the JSON encoder writes (message, arguments, stack traces, MDC) with
 * {@link LogMasking}, and the whole value of any field whose name says it is a secret.
 * Correlation ids are ours and hex, so they are left alone.
 */
public final class MaskingJsonDecorator extends MaskingJsonGeneratorDecorator {
  private static final Set<String> OWN_IDS = Set.of(RequestContextJsonProvider.TRACE_ID, RequestContextJsonProvider.SPAN_ID);

  public MaskingJsonDecorator() {
    addFieldMasker(MaskingJsonDecorator::maskSecretField);
    addValueMasker(MaskingJsonDecorator::maskValue);
  }

  private static Object maskSecretField(JsonStreamContext context) {
    String name = context.getCurrentName();
    return name != null && LogMasking.SECRET_KEY.matcher(name).matches() ? LogMasking.MASK : null;
  }

  private static Object maskValue(JsonStreamContext context, Object value) {
    if (!(value instanceof String text) || OWN_IDS.contains(context.getCurrentName())) {
      return null;
    }
    String masked = LogMasking.mask(text);
    return masked.equals(text) ? null : masked;
  }
}
