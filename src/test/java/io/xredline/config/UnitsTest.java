package io.xredline.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

@DisplayName("Units: the human durations and sizes config files use (CONTRACT §2)")
class UnitsTest {
  private static final String DURATION_HINT = "not a duration (use 250ms, 30s, 15m, 24h, 7d or PT15M)";
  private static final String SIZE_HINT = "not a size (use 512KB, 10MB or a byte count)";

  @TestFactory
  @DisplayName("durations accept 250ms, 30s, 15m, 24h, 7d and ISO-8601, in any case and with spaces around")
  Stream<DynamicTest> acceptedDurations() {
    return Map.ofEntries(
            Map.entry("250ms", Duration.ofMillis(250)),
            Map.entry("30s", Duration.ofSeconds(30)),
            Map.entry("15m", Duration.ofMinutes(15)),
            Map.entry("24h", Duration.ofHours(24)),
            Map.entry("7d", Duration.ofDays(7)),
            Map.entry("0s", Duration.ZERO),
            Map.entry("PT15M", Duration.ofMinutes(15)),
            Map.entry("pt1h30m", Duration.ofMinutes(90)),
            Map.entry("P1D", Duration.ofDays(1)),
            Map.entry("  30S ", Duration.ofSeconds(30)),
            Map.entry("5 m", Duration.ofMinutes(5)))
        .entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> dynamicTest("\"" + e.getKey() + "\" is " + e.getValue(),
            () -> assertThat(Units.duration(e.getKey())).isEqualTo(e.getValue())));
  }

  @TestFactory
  @DisplayName("durations without a known unit, signed or empty are refused with a message naming the accepted forms")
  Stream<DynamicTest> refusedDurations() {
    return Stream.of("10x", "", "   ", "-5s", "+5s", "1.5s", "s", "30", "15 minutes", "5sec", "1h30m")
        .map(text -> dynamicTest("\"" + text + "\" is refused",
            () -> assertThatThrownBy(() -> Units.duration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(DURATION_HINT)));
  }

  @TestFactory
  @DisplayName("malformed ISO-8601 durations are refused as such")
  Stream<DynamicTest> refusedIsoDurations() {
    return Stream.of("P", "PT", "PT15X", "Pfoo")
        .map(text -> dynamicTest("\"" + text + "\" is refused",
            () -> assertThatThrownBy(() -> Units.duration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an ISO-8601 duration")));
  }

  @TestFactory
  @DisplayName("sizes accept KB, MB, GB (binary multiples), short k/m/g, b and plain byte counts")
  Stream<DynamicTest> acceptedSizes() {
    return Map.ofEntries(
            Map.entry("512KB", 512L * 1024),
            Map.entry("10MB", 10L * 1024 * 1024),
            Map.entry("1GB", 1024L * 1024 * 1024),
            Map.entry("1048576", 1_048_576L),
            Map.entry("0", 0L),
            Map.entry("100b", 100L),
            Map.entry("64k", 64L * 1024),
            Map.entry("2m", 2L * 1024 * 1024),
            Map.entry("3g", 3L * 1024 * 1024 * 1024),
            Map.entry("1mb", 1024L * 1024),
            Map.entry(" 10 MB ", 10L * 1024 * 1024))
        .entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> dynamicTest("\"" + e.getKey() + "\" is " + e.getValue() + " bytes",
            () -> assertThat(Units.bytes(e.getKey())).isEqualTo(e.getValue())));
  }

  @TestFactory
  @DisplayName("sizes with an unknown unit, a fraction, a sign or nothing at all are refused")
  Stream<DynamicTest> refusedSizes() {
    return Stream.of("10XB", "1TB", "1.5MB", "-1", "-1KB", "", "MB", "ten", "1 0MB")
        .map(text -> dynamicTest("\"" + text + "\" is refused",
            () -> assertThatThrownBy(() -> Units.bytes(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SIZE_HINT)));
  }

  @Test
  @DisplayName("format prints a duration in its largest exact unit, as validation messages show ranges")
  void formatUsesLargestExactUnit() {
    assertThat(Units.format(Duration.ZERO)).isEqualTo("0ms");
    assertThat(Units.format(Duration.ofMillis(1))).isEqualTo("1ms");
    assertThat(Units.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Units.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Units.format(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(Units.format(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Units.format(Duration.ofDays(365))).isEqualTo("365d");
  }

  @Test
  @DisplayName("format output parses back to the same duration")
  void formatRoundTrips() {
    for (Duration d : new Duration[] {Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMinutes(15),
        Duration.ofHours(24), Duration.ofDays(7), Duration.ofSeconds(3601)}) {
      assertThat(Units.duration(Units.format(d))).as(d.toString()).isEqualTo(d);
    }
  }

  @Test
  @DisplayName("a number with more digits than a long holds is refused as not a duration or size")
  void tooManyDigitsIsRefused() {
    assertThatThrownBy(() -> Units.duration("99999999999999999999s")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Units.bytes("99999999999999999999")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a duration too long to represent is refused with an IllegalArgumentException")
  void durationOverflowIsRefused() {
    assertThatThrownBy(() -> Units.duration("999999999999999d")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Units.duration("9223372036854775807h")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a size too large to represent is refused, never wrapped around into a small value")
  void sizeOverflowIsRefused() {
    assertThatThrownBy(() -> Units.bytes("17179869185GB")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Units.bytes("9007199254740993KB")).isInstanceOf(IllegalArgumentException.class);
  }
}
