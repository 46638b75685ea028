package io.xredline.observability;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written id and traceparent checks accept exactly what the regular expressions they replace accept. */
@Label("RequestContext: request-id and traceparent rules")
class RequestContextRulesTest {
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  @Property(tries = 3000)
  @Label("request ids: same verdict as [A-Za-z0-9._:-]{1,128}")
  void requestIds(@ForAll("ids") String id) {
    assertThat(RequestContext.saneRequestId(id)).isEqualTo(SANE_ID.matcher(id).matches());
  }

  @Property(tries = 3000)
  @Label("traceparents: same verdict as 00-<32 hex>-<16 hex>-<2 hex>")
  void traceparents(@ForAll("traceparents") String t) {
    assertThat(RequestContext.validTraceparent(t)).isEqualTo(TRACEPARENT.matcher(t).matches());
  }

  @Example
  @Label("a valid caller trace is continued; the all-zero trace or span is not")
  void continuesValidTraces() {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    assertThat(RequestContext.start("r", "00-" + trace + "-00f067aa0ba902b7-01").traceId()).isEqualTo(trace);
    assertThat(RequestContext.start("r", " 00-" + trace + "-00f067aa0ba902b7-01 ").traceId()).isEqualTo(trace);
    assertThat(RequestContext.start("r", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01").traceId()).isNotEqualTo("0".repeat(32));
    assertThat(RequestContext.start("r", "00-" + trace + "-" + "0".repeat(16) + "-01").traceId()).isNotEqualTo(trace);
    assertThat(RequestContext.start("r", "00-" + trace.toUpperCase() + "-00f067aa0ba902b7-01").traceId()).hasSize(32)
        .isNotEqualTo(trace.toUpperCase());
  }

  @Example
  @Label("a new request id is a random version-4 UUID in its canonical form, and sane")
  void newRequestIds() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestContext.requestIdOrNew(i % 2 == 0 ? null : "bad id");
      java.util.UUID uuid = java.util.UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(uuid.toString()).isEqualTo(id);
      assertThat(RequestContext.saneRequestId(id)).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
    assertThat(RequestContext.requestIdOrNew("caller-id.1")).isEqualTo("caller-id.1");
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcXYZ019._:-").ofMinLength(0).ofMaxLength(130),
        Arbitraries.strings().withChars("abcXYZ019._:- /%\u00e9\u0000{}").ofMinLength(0).ofMaxLength(20),
        Arbitraries.strings().ofMaxLength(140));
  }

  @Provide
  Arbitrary<String> traceparents() {
    Arbitrary<String> hexish = Arbitraries.strings().withChars("0123456789abcdefABG-").ofMinLength(0).ofMaxLength(34);
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789abcdef").ofLength(32).flatMap(t ->
            Arbitraries.strings().withChars("0123456789abcdefG").ofLength(16).flatMap(s ->
                Arbitraries.strings().withChars("0123456789abcdefF").ofLength(2).flatMap(f ->
                    Arbitraries.of("00-", "01-", "00_", "0-").map(v -> v + t + "-" + s + "-" + f)))),
        hexish.list().ofMaxSize(4).map(l -> "00-" + String.join("-", l)),
        Arbitraries.strings().ofMaxLength(60));
  }
}
