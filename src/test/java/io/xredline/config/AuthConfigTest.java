package io.xredline.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static io.xredline.config.ConfigTrees.devTree;
import static io.xredline.config.ConfigTrees.prodTree;
import static io.xredline.config.ConfigTrees.violations;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("auth configuration: argon2 floor, JWT algorithms and keys, TOTP encryption key, captcha email")
class AuthConfigTest {
  @Test
  @DisplayName("defaults: argon2id at the OWASP floor on 2 hashing threads, HS256 with every algorithm allowed, log delivery")
  void defaults() {
    AppConfig c = ConfigParser.parse(devTree(), "dev");
    assertThat(c.auth().password()).isEqualTo(new AppConfig.Password(19456, 2, 1, 2, 10));
    assertThat(c.auth().jwt().algorithm()).isEqualTo("HS256");
    assertThat(c.auth().jwt().allowedAlgorithms()).containsExactly("HS256", "RS256", "ES256");
    assertThat(c.auth().captcha().email().smtp()).isNull();
    assertThat(c.auth().totp().issuer()).isEqualTo("xredline");
    assertThat(c.auth().totp().encryptionKey()).hasSize(32);
  }

  @Test
  @DisplayName("argon2 below the OWASP minimum (m=19456 KiB, t=2, p=1) is refused, key by key")
  void argon2Floor() {
    assertThat(violations(devTree("auth.password.argon2.memory_kib", 19455, "auth.password.argon2.iterations", 1,
        "auth.password.argon2.parallelism", 0, "auth.password.hashing_pool_size", 0), "dev")).containsExactly(
        "auth.password.argon2.memory_kib: must be between 19456 and 4194304 (got 19455)",
        "auth.password.argon2.iterations: must be between 2 and 100 (got 1)",
        "auth.password.argon2.parallelism: must be between 1 and 64 (got 0)",
        "auth.password.hashing_pool_size: must be between 1 and 256 (got 0)");
    AppConfig stronger = ConfigParser.parse(devTree("auth.password.argon2.memory_kib", 65536,
        "auth.password.argon2.iterations", 3, "auth.password.hashing_pool_size", 4), "dev");
    assertThat(stronger.auth().password()).isEqualTo(new AppConfig.Password(65536, 3, 1, 4, 10));
  }

  @Test
  @DisplayName("hashing_nice is a Linux nice value a thread may take on its own: 0 (off) to 19")
  void hashingNice() {
    assertThat(violations(devTree("auth.password.hashing_nice", -1), "dev"))
        .containsExactly("auth.password.hashing_nice: must be between 0 and 19 (got -1)");
    assertThat(violations(devTree("auth.password.hashing_nice", 20), "dev"))
        .containsExactly("auth.password.hashing_nice: must be between 0 and 19 (got 20)");
    assertThat(ConfigParser.parse(devTree("auth.password.hashing_nice", 0), "dev").auth().password().hashingNice())
        .isZero();
  }

  @Test
  @DisplayName("jwt.algorithm must be HS256/RS256/ES256 and inside allowed_algorithms")
  void algorithms() {
    assertThat(violations(devTree("auth.jwt.algorithm", "none"), "dev"))
        .containsExactly("auth.jwt.algorithm: must be one of HS256, RS256, ES256 (got \"NONE\")");
    assertThat(violations(devTree("auth.jwt.allowed_algorithms", List.of("RS256")), "dev"))
        .containsExactly("auth.jwt.allowed_algorithms: must include auth.jwt.algorithm (HS256) (got [RS256])");
    assertThat(violations(devTree("auth.jwt.allowed_algorithms", "HS256, HS512"), "dev"))
        .containsExactly("auth.jwt.allowed_algorithms: may only list HS256, RS256, ES256 (got \"HS512\")");
  }

  @Test
  @DisplayName("RS256/ES256 need readable PEM files and no shared secret")
  void asymmetricKeys(@TempDir Path dir) throws Exception {
    assertThat(violations(devTree("auth.jwt.algorithm", "RS256", "auth.jwt.secret_key", null), "dev")).containsExactly(
        "auth.jwt.private_key_file: is required when auth.jwt.algorithm is RS256",
        "auth.jwt.public_key_file: is required when auth.jwt.algorithm is RS256");
    Path key = Files.writeString(dir.resolve("k.pem"), "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n");
    assertThat(violations(devTree("auth.jwt.algorithm", "es256", "auth.jwt.secret_key", null,
        "auth.jwt.private_key_file", key.toString(), "auth.jwt.public_key_file", dir.resolve("missing.pem").toString()), "dev"))
        .containsExactly("auth.jwt.public_key_file: must name a readable PEM file (got \"" + dir.resolve("missing.pem") + "\")");
  }

  @Test
  @DisplayName("former TOTP key: 32 bytes of base64 (masked when wrong); optional in prod (only the PII migration reads it), never the shipped one")
  void totpKey() {
    String good = Base64.getEncoder().encodeToString(new byte[32]);
    assertThat(ConfigParser.parse(devTree("auth.totp.encryption_key", good), "dev").auth().totp().encryptionKey())
        .isEqualTo(new byte[32]);
    assertThat(violations(devTree("auth.totp.encryption_key", "c2hvcnQ="), "dev")).containsExactly(
        "auth.totp.encryption_key: must be 32 random bytes in base64 (openssl rand -base64 32) (got \"****\" (8 characters))");
    assertThat(violations(prodTree("auth.totp.encryption_key", null), "prod")).isEmpty();
    assertThat(violations(prodTree("auth.totp.encryption_key", null, "auth.totp_enabled", false), "prod")).isEmpty();
    String shipped = ConfigParser.SHIPPED_TOTP_KEYS.get(0);
    List<String> lines = violations(prodTree("auth.totp.encryption_key", shipped), "prod");
    assertThat(lines).containsExactly(
        "auth.totp.encryption_key: must not be a default shipped with xredline (got \"****\" (44 characters))");
    assertThat(String.join("\n", lines)).doesNotContain(shipped);
  }

  @Test
  @DisplayName("captcha email over SMTP: host switches it on; starttls is disabled/optional/required; the password never prints")
  void smtp() {
    AppConfig c = ConfigParser.parse(devTree("auth.captcha.email.smtp.host", "mail.internal",
        "auth.captcha.email.smtp.port", 2525, "auth.captcha.email.smtp.username", "robot",
        "auth.captcha.email.smtp.password", "smtp-pass-4711", "auth.captcha.email.smtp.starttls", "required"), "dev");
    assertThat(c.auth().captcha().email().smtp()).isEqualTo(
        new AppConfig.Smtp("mail.internal", 2525, "robot", "smtp-pass-4711", "required", false));
    assertThat(c.auth().captcha().email().smtp().toString()).doesNotContain("smtp-pass-4711");
    assertThat(violations(devTree("auth.captcha.email.smtp.host", "h", "auth.captcha.email.smtp.starttls", "maybe"), "dev"))
        .containsExactly("auth.captcha.email.smtp.starttls: must be one of disabled, optional, required (got \"maybe\")");
    assertThat(c.auth().lockWindow()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  @DisplayName("the shipped TOTP dev key is the one config.yaml ships, so prod's refusal list cannot drift")
  void shippedTotpKeyMatchesConfigYaml() throws Exception {
    try (var in = AuthConfigTest.class.getClassLoader().getResourceAsStream("conf/config.yaml")) {
      String yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(yaml).contains("encryption_key: " + ConfigParser.SHIPPED_TOTP_KEYS.get(0));
    }
  }
}
