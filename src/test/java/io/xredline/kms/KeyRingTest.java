package io.xredline.kms;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Envelope encryption pieces: data keys wrapped by the root key, sealed values, HMAC lookups")
class KeyRingTest {
  private static final RootKey ROOT = RootKey.of(bytes(1));
  private static final RootKey OTHER_ROOT = RootKey.of(bytes(2));

  private static byte[] bytes(int first) {
    byte[] key = new byte[32];
    key[0] = (byte) first;
    return key;
  }

  private static KeyRing ring(int active, int... versions) {
    Map<Integer, byte[]> keys = new java.util.HashMap<>();
    for (int v : versions) {
      keys.put(v, bytes(100 + v));
    }
    return new KeyRing(keys, active, ROOT);
  }

  @Test
  @DisplayName("a sealed value is v<version>:base64(nonce|ct|tag), opens for its row only, and a flipped byte does not open")
  void sealOpen() {
    KeyRing ring = ring(1, 1);
    String sealed = ring.seal("alice@example.com", "users.email:7");
    assertThat(sealed).startsWith("v1:").doesNotContain("alice");
    assertThat(Base64.getDecoder().decode(sealed.substring(3))).hasSize(12 + "alice@example.com".length() + 16);
    assertThat(ring.openString(sealed, "users.email:7")).isEqualTo("alice@example.com");
    assertThat(ring.seal("alice@example.com", "users.email:7")).as("fresh nonce").isNotEqualTo(sealed);
    assertThatThrownBy(() -> ring.open(sealed, "users.email:8")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring.open(sealed, "users.phone:7")).isInstanceOf(IllegalArgumentException.class);
    char[] chars = sealed.toCharArray();
    chars[10] = chars[10] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> ring.open(new String(chars), "users.email:7")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring.open("alice@example.com", "users.email:7")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("after a rotation new values are sealed under the new key and the old key still opens its values")
  void rotation() {
    String old = ring(1, 1).seal("+8613812345678", "users.phone:3");
    KeyRing rotated = ring(2, 1, 2);
    assertThat(rotated.seal("+8613812345678", "users.phone:3")).startsWith("v2:");
    assertThat(rotated.openString(old, "users.phone:3")).isEqualTo("+8613812345678");
    assertThatThrownBy(() -> ring(1, 1).open(rotated.seal("x", "a"), "a"))
        .isInstanceOf(KeyRing.UnknownVersion.class).hasMessageContaining("v2");
  }

  @Test
  @DisplayName("data keys are wrapped by a key derived from the root key: another root key or another version does not unwrap")
  void wrapping() {
    byte[] dataKey = Envelope.randomKey();
    String wrapped = ROOT.wrap(3, dataKey);
    assertThat(ROOT.unwrap(3, wrapped)).isEqualTo(dataKey);
    assertThatThrownBy(() -> ROOT.unwrap(4, wrapped)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OTHER_ROOT.unwrap(3, wrapped)).isInstanceOf(IllegalArgumentException.class);
    assertThat(KeyTable.unwrap(ROOT, Map.of(3, wrapped), 3).activeVersion()).isEqualTo(3);
    assertThatThrownBy(() -> KeyTable.unwrap(OTHER_ROOT, Map.of(3, wrapped), 3))
        .hasMessageContaining("does not unwrap");
  }

  @Test
  @DisplayName("the key-check value identifies the root key without revealing it")
  void keyCheck() {
    assertThat(ROOT.matches(ROOT.keyCheck())).isTrue();
    assertThat(OTHER_ROOT.matches(ROOT.keyCheck())).isFalse();
    assertThat(ROOT.matches(null)).isFalse();
    assertThat(ROOT.keyCheck()).doesNotContain(Base64.getEncoder().encodeToString(bytes(1)));
    assertThat(ROOT.toString()).doesNotContain("1");
  }

  @Test
  @DisplayName("lookups are keyed by the root key, equal for equal normalised values (emails case-insensitive), apart per kind")
  void lookups() {
    KeyRing ring = ring(1, 1);
    KeyRing rotated = ring(2, 1, 2);
    assertThat(SealedColumns.emailLookup(ring, "Alice@Example.com")).isEqualTo(SealedColumns.emailLookup(ring, "alice@example.com"))
        .as("a data-key rotation does not change lookups").isEqualTo(SealedColumns.emailLookup(rotated, "alice@example.com"))
        .hasSize(32);
    assertThat(ring.lookup("email", "x")).isNotEqualTo(ring.lookup("phone", "x"));
    assertThat(new KeyRing(Map.of(1, bytes(101)), 1, OTHER_ROOT).lookup("email", "x")).isNotEqualTo(ring.lookup("email", "x"));
    assertThat(SealedColumns.phoneLookup(ring, null)).isNull();
  }
}
