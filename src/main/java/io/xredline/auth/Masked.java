package io.xredline.auth;

/** How PII appears anywhere but the database (logs, events, {@code me}): {@code te**@example.com}, {@code 138****5678}. */
public final class Masked {
  private Masked() {
  }

  public static String email(String email) {
    if (email == null) {
      return null;
    }
    int at = email.lastIndexOf('@');
    if (at <= 0) {
      return "****";
    }
    String local = email.substring(0, at);
    String keep = local.length() <= 2 ? local.substring(0, 1) : local.substring(0, 2);
    return keep + "**" + email.substring(at);
  }

  /** {@code 13812345678 → 138****5678}; {@code +8613812345678 → +86138****5678}; others keep 3 + last 4. */
  public static String phone(String phone) {
    if (phone == null) {
      return null;
    }
    String prefix = "";
    String digits = phone;
    if (digits.startsWith("+86") && digits.length() == 14) {
      prefix = "+86";
      digits = digits.substring(3);
    } else if (digits.startsWith("+")) {
      prefix = "+";
      digits = digits.substring(1);
    }
    if (digits.length() < 8) {
      return prefix + "****";
    }
    return prefix + digits.substring(0, 3) + "*".repeat(digits.length() - 7) + digits.substring(digits.length() - 4);
  }

  /**
   * A login name as typed by someone we could not match to an account: it may be an email, a phone,
   * or even a password typed into the wrong field, so only its first two characters survive.
   */
  public static String identifier(String typed) {
    if (typed == null || typed.isEmpty()) {
      return "";
    }
    if (typed.indexOf('@') > 0) {
      return email(typed);
    }
    if (typed.matches("\\+?[0-9]{8,15}")) {
      return phone(typed);
    }
    return typed.codePointCount(0, typed.length()) <= 2 ? "**" : typed.substring(0, typed.offsetByCodePoints(0, 2)) + "***";
  }

  static String target(String channel, String target) {
    return "email".equals(channel) ? email(target) : phone(target);
  }
}
