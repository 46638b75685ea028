package io.xredline.observability;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Log masking applies CONTRACT §7's rules with one deterministic resolution of overlapping detections")
class LogMaskingTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "test@example.com|te**@example.com",
      "13812345678|138****5678",
      "110101199001011234|110101********1234",
      "6222021234567890|6222********7890",
  })
  @DisplayName("CONTRACT §7's examples are masked exactly as specified")
  void vectors(String clear, String masked) {
    assertThat(LogMasking.mask(clear)).isEqualTo(masked);
    assertThat(LogMasking.mask("value=" + clear + " end")).isEqualTo("value=" + masked + " end");
  }

  @Test
  @DisplayName("an 18-digit ID card is an ID card, not a bank card; a non-ID 18-digit number is a bank card")
  void idCardBeatsBankCard() {
    assertThat(LogMasking.mask("id 11010119900101123X")).isEqualTo("id 110101********123X");
    assertThat(LogMasking.mask("card 622202123456789012")).isEqualTo("card 6222**********9012");
  }

  @Test
  @DisplayName("a bank card that contains a mobile-number-shaped run is masked once, as a bank card")
  void bankCardBeatsPhone() {
    assertThat(LogMasking.mask("card 6213812345678901")).isEqualTo("card 6213********8901");
    assertThat(LogMasking.mask("card 6222 0212 3456 7890")).isEqualTo("card 6222********7890");
  }

  @Test
  @DisplayName("E.164 phones keep the country prefix, and the number's first three and last four digits")
  void e164() {
    assertThat(LogMasking.mask("call +8613812345678 now")).isEqualTo("call +86138****5678 now");
    assertThat(LogMasking.mask("call +14155552671")).isEqualTo("call +141****2671");
  }

  @Test
  @DisplayName("secret keys hide their whole value in JSON, key=value and header forms")
  void secretKeys() {
    assertThat(LogMasking.mask("{\"username\":\"bob\",\"password\":\"hunter2!\"}"))
        .isEqualTo("{\"username\":\"bob\",\"password\":\"****\"}");
    assertThat(LogMasking.mask("password=hunter2 token=abc.def secret: s3cr3t"))
        .isEqualTo("password=**** token=**** secret: ****");
    assertThat(LogMasking.mask("Authorization: Bearer abcdef123456")).isEqualTo("Authorization: ****");
    assertThat(LogMasking.mask("cookie=session=abc; refresh_token='xyz'")).contains("cookie=****").contains("refresh_token='****'");
    assertThat(LogMasking.mask("captcha_code=ab12cd, totp_code: 123456")).isEqualTo("captcha_code=****, totp_code: ****");
  }

  @Test
  @DisplayName("JWTs and bearer tokens are masked wherever they appear")
  void tokens() {
    String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig-nature_value";
    assertThat(LogMasking.mask("got " + jwt + " from client")).isEqualTo("got eyJ**** from client");
    assertThat(LogMasking.mask("header Bearer abcdefghijklmnop")).isEqualTo("header Bearer ****");
  }

  @Test
  @DisplayName("an email whose local part is digits is masked as an email, not as a phone")
  void emailBeatsDigits() {
    assertThat(LogMasking.mask("mail 13812345678@qq.com")).isEqualTo("mail 13**@qq.com");
  }

  @Test
  @DisplayName("masking is idempotent and leaves ordinary text, error reasons, UUIDs and hex trace ids alone")
  void stableAndPrecise() {
    String text = "login failed TOKEN_EXPIRED: token expired for request 550e8400-e29b-41d4-a716-446655440000 "
        + "trace 4bf92f3577b34da6a3ce929d0e0e4736 took 1234 ms at 2025-01-01T00:00:00Z";
    assertThat(LogMasking.mask(text)).isEqualTo(text);
    String mixed = "user test@example.com phone 13812345678 card 6222021234567890 id 110101199001011234 password=x1";
    String once = LogMasking.mask(mixed);
    assertThat(once).isEqualTo("user te**@example.com phone 138****5678 card 6222********7890 id 110101********1234 password=****");
    assertThat(LogMasking.mask(once)).isEqualTo(once);
  }
}
