package io.xredline.kms;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The unwrapped data keys at one moment: new values are sealed under the active version, every
 * version still in {@code kms_keys} opens. A sealed value is {@code v<version>:<base64(nonce|ct|tag)>}.
 * Immutable; {@link DataKeys} swaps in a new ring when a rotation adds a key.
 */
public final class KeyRing {
  private final Map<Integer, SecretKeySpec> keys;
  private final int active;
  private final SecretKeySpec lookup;

  KeyRing(Map<Integer, byte[]> keys, int active, RootKey root) {
    if (!keys.containsKey(active)) {
      throw new IllegalArgumentException("the active data key v" + active + " is not in the ring");
    }
    Map<Integer, SecretKeySpec> specs = new TreeMap<>();
    keys.forEach((version, key) -> specs.put(version, Envelope.key(key)));
    this.keys = java.util.Collections.unmodifiableMap(specs);
    this.active = active;
    this.lookup = new SecretKeySpec(root.lookupKey(), "HmacSHA256");
  }

  /** Thrown when a value was sealed under a data key this ring does not hold (yet): reload and retry. */
  public static final class UnknownVersion extends IllegalStateException {
    private final int version;

    UnknownVersion(int version) {
      super("data key v" + version + " is not loaded", null);
      this.version = version;
    }

    public int version() {
      return version;
    }
  }

  public int activeVersion() {
    return active;
  }

  public java.util.Set<Integer> versions() {
    return keys.keySet();
  }

  public String seal(String plaintext, String associatedData) {
    return plaintext == null ? null : seal(plaintext.getBytes(StandardCharsets.UTF_8), associatedData);
  }

  public String seal(byte[] plaintext, String associatedData) {
    return "v" + active + ":" + Base64.getEncoder().encodeToString(
        Envelope.seal(keys.get(active), plaintext, associatedData));
  }

  public String openString(String sealed, String associatedData) {
    return sealed == null ? null : new String(open(sealed, associatedData), StandardCharsets.UTF_8);
  }

  /**
   * @throws UnknownVersion when the key is not loaded
   * @throws IllegalArgumentException when the value is malformed or does not open (wrong row or tampered)
   */
  public byte[] open(String sealed, String associatedData) {
    int version = version(sealed);
    SecretKeySpec key = keys.get(version);
    if (key == null) {
      throw new UnknownVersion(version);
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(sealed.substring(sealed.indexOf(':') + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sealed value is not base64");
    }
    return Envelope.open(key, raw, associatedData);
  }

  /** The data-key version a sealed value names. */
  public static int version(String sealed) {
    int colon = sealed == null ? -1 : sealed.indexOf(':');
    if (colon < 2 || sealed.charAt(0) != 'v') {
      throw new IllegalArgumentException("not a sealed value (v<version>:...)");
    }
    try {
      return Integer.parseInt(sealed.substring(1, colon));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a sealed value (v<version>:...)");
    }
  }

  /**
   * Keyed HMAC-SHA256 over {@code kind:value} (the caller normalises the value): equal inputs give
   * equal lookups, so the database can index and enforce uniqueness without seeing the value.
   */
  public byte[] lookup(String kind, String normalised) {
    if (normalised == null) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(lookup);
      return mac.doFinal((kind + ":" + normalised).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** Opens a value sealed by releases before envelope encryption ({@code v1:} under one fixed key). */
  public static byte[] openLegacy(byte[] legacyKey, String sealed, String associatedData) {
    if (sealed == null || !sealed.startsWith("v1:")) {
      throw new IllegalArgumentException("not a v1 sealed value");
    }
    return Envelope.open(Envelope.key(legacyKey), Base64.getDecoder().decode(sealed.substring(3)), associatedData);
  }

  @Override
  public String toString() {
    return "KeyRing[versions=" + keys.keySet() + ", active=v" + active + "]";
  }
}
