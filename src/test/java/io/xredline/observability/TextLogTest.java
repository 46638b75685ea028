package io.xredline.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.xredline.config.AppConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("log.format text: one aligned line per event, coloured only when asked, masked like JSON")
class TextLogTest {
  private static final LoggerContext CONTEXT = (LoggerContext) LoggerFactory.getILoggerFactory();

  private static String line(boolean colour, Level level, String logger, String message, Throwable error,
                             Map<String, String> mdc) {
    LoggingEvent event = new LoggingEvent(logger, CONTEXT.getLogger(logger), level, message, error, null);
    event.setMDCPropertyMap(mdc);
    event.setTimeStamp(1_735_732_800_123L); // one instant, so lines of two encodings compare equal
    return new String(LogSetup.encoder(CONTEXT, "text", colour).encode(event), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("time, level, logger and message start in the same columns whatever the level and logger; the request id ends the line")
  void aligned() {
    String info = line(false, Level.INFO, "xredline.lifecycle", "ready", null, Map.of());
    String warn = line(false, Level.WARN, "io.vertx.core.impl.BlockedThreadChecker", "blocked", null,
        Map.of("request_id", "rid-42"));
    assertThat(info).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  xredline\\.lifecycle {11}ready\\R");
    assertThat(info.indexOf("ready")).isEqualTo(warn.indexOf("blocked"));
    assertThat(warn).startsWith(warn.substring(0, 12) + " WARN  ").endsWith("blocked  [rid-42]" + System.lineSeparator());
    assertThat(info.split("\\R")).hasSize(1);
    assertThat(info + warn).doesNotContain("\u001b[");
  }

  @Test
  @DisplayName("with colour: ANSI codes around level, logger and time, and the masked text is the same as without")
  void coloured() {
    String plain = line(false, Level.ERROR, "xredline.test", "mail test@example.com", null, Map.of());
    String coloured = line(true, Level.ERROR, "xredline.test", "mail test@example.com", null, Map.of());
    assertThat(coloured).contains("\u001b[1;31mERROR\u001b[0m").contains("\u001b[36mxredline.test");
    assertThat(coloured.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain);
    assertThat(plain).contains("mail te**@example.com");
  }

  @Test
  @DisplayName("secrets are masked in the message, the exception and the request id; the exception shows causes and a few frames")
  void masked() {
    RuntimeException error = new RuntimeException("login failed for 13812345678",
        new IllegalStateException("password=hunter22"));
    String text = line(false, Level.WARN, "xredline.auth", "token=abc.def.ghi for test@example.com", error,
        Map.of("request_id", "req-for-test@example.com"));
    assertThat(text).contains("token=****", "te**@example.com", "138****5678", "password=****",
        "java.lang.RuntimeException: login failed", "caused by java.lang.IllegalStateException", "        at ");
    assertThat(text).doesNotContain("abc.def.ghi", "test@example.com", "13812345678", "hunter22");
  }

  @Test
  @DisplayName("auto: text for a person at a terminal in dev, JSON when piped or in test/prod; explicit formats win")
  void formatDefault() {
    AppConfig.Log auto = new AppConfig.Log("info", "auto", "auto");
    assertThat(LogSetup.format(auto, "dev", true)).isEqualTo("text");
    assertThat(LogSetup.format(auto, "dev", false)).isEqualTo("json");
    assertThat(LogSetup.format(auto, "test", true)).isEqualTo("json");
    assertThat(LogSetup.format(auto, "prod", true)).isEqualTo("json");
    assertThat(LogSetup.format(new AppConfig.Log("info", "text", "auto"), "prod", false)).isEqualTo("text");
    assertThat(LogSetup.format(new AppConfig.Log("info", "json", "auto"), "dev", true)).isEqualTo("json");
  }

  @Test
  @DisplayName("colour: auto at a terminal unless NO_COLOR; always and never as they say")
  void colourDefault() {
    assertThat(LogSetup.colour(new AppConfig.Log("info", "text", "auto"), true, null)).isTrue();
    assertThat(LogSetup.colour(new AppConfig.Log("info", "text", "auto"), true, "1")).isFalse();
    assertThat(LogSetup.colour(new AppConfig.Log("info", "text", "auto"), false, null)).isFalse();
    assertThat(LogSetup.colour(new AppConfig.Log("info", "text", "always"), false, null)).isTrue();
    assertThat(LogSetup.colour(new AppConfig.Log("info", "text", "never"), true, null)).isFalse();
  }
}
