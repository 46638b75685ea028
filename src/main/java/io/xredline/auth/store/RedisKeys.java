package io.xredline.auth.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every auth key in Redis, under {@code data.redis.key_prefix}. Keys never hold PII: a login name
 * that matched no account appears only as a SHA-256 digest.
 */
public record RedisKeys(String prefix) {
  String captcha(String id) {
    return prefix + "auth:captcha:" + id;
  }

  String attempts(String account) {
    return prefix + "auth:attempts:" + account;
  }

  String lock(String account) {
    return prefix + "auth:lock:" + account;
  }

  String family(String familyId) {
    return prefix + "auth:family:" + familyId;
  }

  String userFamilies(long userId) {
    return prefix + "auth:user-families:" + userId;
  }

  String denied(String jti) {
    return prefix + "auth:deny:" + jti;
  }

  String totpLastStep(long userId) {
    return prefix + "auth:totp-last-step:" + userId;
  }

  /** The lockout identity of an account: its id, or a digest of an unmatched login name. */
  public static String account(long userId) {
    return "u" + userId;
  }

  public static String unknownAccount(String loginName) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(loginName.getBytes(StandardCharsets.UTF_8));
      return "n" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
