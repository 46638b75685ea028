package io.xredline.kms;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The root key ({@code security.kms.master_key}) never touches the database or any data directly:
 * HKDF-SHA256 derives one key per purpose from it, so a leaked lookup key reveals no data key.
 * <ul>
 *   <li>wrapping: AES-256-GCM over each data key in {@code kms_keys};</li>
 *   <li>lookup: HMAC-SHA256 over normalised emails and phones (the unique, searchable columns);</li>
 *   <li>check: a key-check value stored in {@code kms_root}, so a wrong root key is named at start-up
 *       instead of surfacing as unreadable rows.</li>
 * </ul>
 */
public final class RootKey {
  private static final byte[] SALT = "xredline-kms-v1".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec wrapping;
  private final byte[] lookup;
  private final byte[] check;

  private RootKey(byte[] master) {
    if (master == null || master.length != Envelope.KEY_BYTES) {
      throw new IllegalArgumentException("the root key must be 32 bytes");
    }
    this.wrapping = Envelope.key(derive(master, "wrap data keys"));
    this.lookup = derive(master, "pii lookup hmac");
    this.check = derive(master, "key check");
  }

  public static RootKey of(byte[] master) {
    return new RootKey(master);
  }

  /** What {@code kms_root.key_check} holds for this root key: it identifies the key, reveals nothing of it. */
  public String keyCheck() {
    return Base64.getEncoder().encodeToString(hmac(check, "xredline key check".getBytes(StandardCharsets.US_ASCII)));
  }

  public boolean matches(String storedKeyCheck) {
    return storedKeyCheck != null && MessageDigest.isEqual(
        keyCheck().getBytes(StandardCharsets.US_ASCII), storedKeyCheck.getBytes(StandardCharsets.US_ASCII));
  }

  String wrap(int version, byte[] dataKey) {
    return Base64.getEncoder().encodeToString(Envelope.seal(wrapping, dataKey, "kms_keys:" + version));
  }

  byte[] unwrap(int version, String wrapped) {
    return Envelope.open(wrapping, Base64.getDecoder().decode(wrapped), "kms_keys:" + version);
  }

  byte[] lookupKey() {
    return lookup;
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  private static byte[] derive(byte[] master, String purpose) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(master, SALT, ("xredline " + purpose).getBytes(StandardCharsets.US_ASCII)));
    byte[] out = new byte[32];
    hkdf.generateBytes(out, 0, out.length);
    return out;
  }

  @Override
  public String toString() {
    return "RootKey[****]";
  }
}
