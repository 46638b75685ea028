package io.xredline.observability;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("One masking rule per kind of personal data: CONTRACT §7's examples, for /me, events and logs alike")
class MaskingTest {

  @Test
  @DisplayName("CONTRACT §7's examples")
  void contractExamples() {
    assertThat(Masking.email("test@example.com")).isEqualTo("te**@example.com");
    assertThat(Masking.phone("13812345678")).isEqualTo("138****5678");
    assertThat(Masking.idCard("110101199001011234")).isEqualTo("110101********1234");
    assertThat(Masking.bankCard("6222021234567890")).isEqualTo("6222********7890");
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({"test@example.com, te**@example.com", "abc@x.io, a**@x.io", "ab@x.io, a**@x.io", "a@example.com, **@example.com",
      "not-an-email, ****"})
  @DisplayName("emails keep at most two leading characters, never the whole local part")
  void email(String email, String masked) {
    assertThat(Masking.email(email)).isEqualTo(masked);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({"13812345678, 138****5678", "+8613812345678, +86138****5678", "+14155552671, +141****2671", "123, ****"})
  @DisplayName("phones keep the first three and last four digits, with or without a country code")
  void phone(String phone, String masked) {
    assertThat(Masking.phone(phone)).isEqualTo(masked);
  }

  @Test
  @DisplayName("a value shows the same in a log line as in an answer")
  void logsAgree() {
    for (String value : new String[] {"test@example.com", "abc@example.com", "13812345678", "+8613812345678", "+14155552671"}) {
      String masked = value.contains("@") ? Masking.email(value) : Masking.phone(value);
      assertThat(LogMasking.mask("value " + value + " end")).isEqualTo("value " + masked + " end");
    }
  }

  @Test
  @DisplayName("an unmatched login name keeps only two characters (it may be a password typed in the wrong field)")
  void identifier() {
    assertThat(Masking.identifier("MySecretPassw0rd")).isEqualTo("My***");
    assertThat(Masking.identifier("ghost@example.com")).isEqualTo("gh**@example.com");
    assertThat(Masking.identifier("13812345678")).isEqualTo("138****5678");
    assertThat(Masking.identifier("x")).isEqualTo("**");
  }
}
