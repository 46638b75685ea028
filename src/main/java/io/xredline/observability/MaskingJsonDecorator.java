package io.xredline.observability;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Masks every string value the JSON encoder writes (message, arguments, stack traces, MDC) with
 * {@link LogMasking}, and the whole value of any field whose name says it is a secret.
 * Correlation ids are ours and hex, so they are left alone.
 */
public final class MaskingJsonDecorator extends MaskingJsonGeneratorDecorator {
  /** Field names are few and ours (arguments, MDC keys): each is judged once; bounded all the same. */
  private static final int NAMES_KEPT = 4096;
  private static final Map<String, Boolean> SECRET_NAMES = new ConcurrentHashMap<>();
  private static final Set<String> OWN_IDS = Set.of(RequestContextJsonProvider.TRACE_ID, RequestContextJsonProvider.SPAN_ID);

  public MaskingJsonDecorator() {
    addFieldMasker(MaskingJsonDecorator::maskSecretField);
    addValueMasker(MaskingJsonDecorator::maskValue);
  }

  private static Object maskSecretField(JsonStreamContext context) {
    String name = context.getCurrentName();
    return name != null && secretName(name) ? LogMasking.MASK : null;
  }

  private static boolean secretName(String name) {
    Boolean known = SECRET_NAMES.get(name);
    if (known != null) {
      return known;
    }
    boolean secret = LogMasking.SECRET_KEY.matcher(name).matches();
    if (SECRET_NAMES.size() < NAMES_KEPT) {
      SECRET_NAMES.put(name, secret);
    }
    return secret;
  }

  private static Object maskValue(JsonStreamContext context, Object value) {
    if (!(value instanceof String text) || OWN_IDS.contains(context.getCurrentName())) {
      return null;
    }
    String masked = LogMasking.mask(text);
    return masked.equals(text) ? null : masked;
  }
}
