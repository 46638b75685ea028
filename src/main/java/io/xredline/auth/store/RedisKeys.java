package io.xredline.auth.store;

import io.xredline.data.KeyDigest;

/**
 * Every auth key in Redis, under {@code data.redis.key_prefix}. Keys never hold PII: a login name
 * that matched no account appears only as a SHA-256 digest.
 *
 * <p>Keys that one script touches together share a Redis Cluster hash tag, so every script runs on
 * a single slot: everything of one account (its lockout, its sign-in families and their index, its
 * deny-listed access tokens, its TOTP replay guard) is tagged {@code {u42}}, an unmatched login name
 * {@code {n<digest>}}. One user's keys land together; different users spread over the cluster.
 * Captchas are single-key and keep their own slot.
 */
public record RedisKeys(String prefix) {
  String captcha(String id) {
    return prefix + "auth:captcha:" + id;
  }

  /**
   * One part of the lockout state of a sign-in identity ({@link #account} or {@link #unknownAccount}):
   * every key one lockout script touches carries the identity as its hash tag (one Cluster slot).
   */
  String login(String identity, String part) {
    return prefix + "{auth:login:" + identity + "}:" + part;
  }

  String family(long userId, String familyId) {
    return prefix + "auth:family:" + tag(account(userId)) + ":" + familyId;
  }

  String userFamilies(long userId) {
    return prefix + "auth:user-families:" + tag(account(userId));
  }

  String denied(long userId, String jti) {
    return prefix + "auth:deny:" + tag(account(userId)) + ":" + jti;
  }

  /** Present while an admin has the account disabled: every access check refuses it. */
  String disabled(long userId) {
    return prefix + "auth:disabled:" + tag(account(userId));
  }

  /** The id of the last sms/email code sent to a target (by digest), for routes that take a code without its id. */
  String codeFor(String target) {
    return prefix + "auth:code-for:" + digest(target);
  }

  String totpLastStep(long userId) {
    return prefix + "auth:totp-last-step:" + tag(account(userId));
  }

  /** The hash tag of an account's keys: Redis Cluster hashes only what is inside the braces. */
  static String tag(String account) {
    return "{" + account + "}";
  }

  /** The lockout identity of an account: its id, or a digest of an unmatched login name. */
  public static String account(long userId) {
    return "u" + userId;
  }

  public static String unknownAccount(String loginName) {
    return "n" + digest(loginName);
  }

  /** How an identifier, a login name or a code target appears in a key: never in clear. */
  public static String digest(String value) {
    return KeyDigest.of(value);
  }
}
