package io.xredline.auth;

import io.xredline.config.AppConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("the pieces under the rules: RFC 6238 TOTP, base32, argon2id PHC, AES-GCM sealing")
class CryptoPiecesTest {
  private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest(name = "T={0} → {1}")
  @CsvSource({"59, 287082", "1111111109, 081804", "1111111111, 050471", "1234567890, 005924", "2000000000, 279037",
      "20000000000, 353130"})
  @DisplayName("TOTP matches the RFC 6238 SHA-1 test vectors (last 6 digits)")
  void rfc6238(long time, String code) {
    assertThat(Totp.code(RFC_SECRET, Totp.step(time))).isEqualTo(code);
  }

  @Test
  @DisplayName("a code is accepted one step either side and no further; junk is never accepted")
  void window() {
    long now = 1_700_000_000L;
    long step = Totp.step(now);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 1), now)).hasValue(step - 1);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 1), now)).hasValue(step + 1);
    assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 2), now)).isEmpty();
    assertThat(Totp.matchingStep(RFC_SECRET, "12345", now)).isEmpty();
    assertThat(Totp.matchingStep(RFC_SECRET, null, now)).isEmpty();
  }

  @Test
  @DisplayName("base32 round-trips and matches RFC 4648 (\"foobar\" → MZXW6YTBOI)")
  void base32() {
    assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
    byte[] secret = Totp.newSecret();
    assertThat(Totp.fromBase32(Totp.base32(secret))).isEqualTo(secret);
  }

  @Test
  @DisplayName("argon2id: PHC string with the configured parameters, verifies the right password only, never throws on junk")
  void argon2() {
    PasswordHashing.Params params = new PasswordHashing.Params(19456, 2, 1);
    String phc = PasswordHashing.hashNow("pässwörd-1", params);
    assertThat(phc).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(PasswordHashing.verifyNow("pässwörd-1", phc)).isTrue();
    assertThat(PasswordHashing.verifyNow("pässwörd-2", phc)).isFalse();
    assertThat(PasswordHashing.hashNow("pässwörd-1", params)).as("salted").isNotEqualTo(phc);
    assertThat(PasswordHashing.paramsOf(phc)).isEqualTo(params);
    for (String junk : new String[] {null, "", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "$2b$12$abc",
        "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$aGFzaA", phc.substring(0, phc.length() - 5)}) {
      assertThat(PasswordHashing.verifyNow("pässwörd-1", junk)).isFalse();
    }
  }

  @Test
  @DisplayName("the decoy an unknown account is checked against: a real hash's shape and parameters, random, matched by nothing")
  void decoy() {
    var config = new AppConfig.Password(19456, 2, 1, 1, 0);
    var hashing = new PasswordHashing(config, null, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    String decoy = hashing.decoy();
    String real = PasswordHashing.hashNow("pässwörd-1", hashing.params());
    // same parameters and digest length: verifying against it derives what a real check derives
    assertThat(decoy).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(decoy.length()).isEqualTo(real.length());
    assertThat(PasswordHashing.paramsOf(decoy)).isEqualTo(hashing.params());
    assertThat(hashing.decoy()).as("random salt and digest").isNotEqualTo(decoy);
    for (String guess : new String[] {"", "pässwörd-1", "00000000-0000-0000-0000-000000000000", decoy}) {
      assertThat(PasswordHashing.verifyNow(guess, decoy)).isFalse();
    }
  }

  @Test
  @DisplayName("other configured parameters are written into the PHC string and verify")
  void configuredParamsRoundTrip() {
    var config = new AppConfig.Password(20480, 3, 2, 1, 0);
    var params = new PasswordHashing.Params(config.memoryKib(), config.iterations(), config.parallelism());
    String phc = PasswordHashing.hashNow("x", params);
    assertThat(phc).startsWith("$argon2id$v=19$m=20480,t=3,p=2$");
    assertThat(PasswordHashing.verifyNow("x", phc)).isTrue();
  }
}
