package io.xredline.observability;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-pass screen in {@link LogMasking} only skips detectors that could not have matched: on
 * any text, screened masking equals running every detector. The texts are built from the pieces
 * the detectors look for (and near misses), glued with the characters their boundaries test.
 */
@Label("LogMasking's screen never changes an answer")
class LogMaskingScreenTest {

  @Property(tries = 3000)
  @Label("screened mask == every detector, on texts made of secrets, PII, near misses and separators")
  void screenedEqualsExhaustive(@ForAll("lines") String text) {
    assertThat(LogMasking.mask(text, true)).isEqualTo(LogMasking.mask(text, false));
  }

  @Property(tries = 2000)
  @Label("and on arbitrary strings")
  void screenedEqualsExhaustiveOnAnyString(@ForAll String text) {
    assertThat(LogMasking.mask(text, true)).isEqualTo(LogMasking.mask(text, false));
  }

  @Example
  @Label("the screen is not blind: each kind is still masked")
  void eachKindStillMasked() {
    String line = "password=hunter22 Bearer abcdefgh12345678 eyJhbGciOi.eyJzdWIiOi.sig al@example.com "
        + "11010519491231002X 4111 1111 1111 1111 13812345678 +4915112345678 api-key: k1value";
    String masked = LogMasking.mask(line);
    assertThat(masked).doesNotContain("hunter22", "abcdefgh12345678", "eyJzdWIiOi", "al@example.com",
        "19491231", "1111 1111 1111", "12345678", "k1value").isEqualTo(LogMasking.mask(line, false));
  }

  @Provide
  Arbitrary<String> lines() {
    Arbitrary<String> pieces = Arbitraries.oneOf(
        Arbitraries.of("password", "PassWd", "client_secret", "x-api-key", "api_key", "Authorization", "cookie",
            "captcha-code", "TOTP_CODE", "otp_code", "access_token", "TOKEN_EXPIRED", "token"),
        Arbitraries.of(":", "=", " : ", "\"", "'", " ", ",", ";", "&", "{", "}", "[", "]", "-", "+", ".", "_", "@", "/"),
        Arbitraries.of("Bearer ", "basic ", "Digest ", "eyJ", "eyJhbGciOiJIUzI1NiJ9", ".", "example.com", "al.ice"),
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20),
        Arbitraries.of("1", "13812345678", "+8613812345678", "11010519491231002X", "4111 1111 1111 1111", "1234-5678-9012"),
        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
        Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(3));
    return pieces.list().ofMinSize(1).ofMaxSize(14).map(list -> String.join("", list));
  }
}
