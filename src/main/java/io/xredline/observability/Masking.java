package io.xredline.observability;

/**
 * CONTRACT §7's masking rule for each kind of personal data, the one implementation used wherever a
 * value leaves the database: in log lines ({@link LogMasking} finds the values in free text), in
 * events and in answers such as {@code /me}. {@code test@example.com → te**@example.com},
 * {@code 13812345678 → 138****5678}, {@code 110101199001011234 → 110101********1234},
 * {@code 6222021234567890 → 6222********7890}.
 */
public final class Masking {
  public static final String MASK = "****";

  private Masking() {
  }

  /**
   * At most two leading characters of the local part survive, and never the whole of it: a local
   * part of one character keeps none, of two or three keeps one.
   */
  public static String email(String email) {
    if (email == null) {
      return null;
    }
    int at = email.lastIndexOf('@');
    if (at <= 0) {
      return MASK;
    }
    String local = email.substring(0, at);
    int keep = local.length() >= 4 ? 2 : local.length() >= 2 ? 1 : 0;
    return local.substring(0, keep) + "**" + email.substring(at);
  }

  /**
   * The first three and last four digits of the number survive; a {@code +86} prefix is kept and the
   * national number masked like any other, so one phone looks the same with or without it
   * ({@code +8613812345678 → +86138****5678}). Anything shorter than eight digits is hidden whole.
   */
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
      return prefix + MASK;
    }
    return prefix + digits.substring(0, 3) + "*".repeat(digits.length() - 7) + digits.substring(digits.length() - 4);
  }

  /** The six-digit region code and the last four characters survive. */
  public static String idCard(String id) {
    return id.substring(0, 6) + "*".repeat(id.length() - 10) + id.substring(id.length() - 4);
  }

  /** The first and last four digits survive; separators are dropped. */
  public static String bankCard(String card) {
    String digits = card.replaceAll("[ -]", "");
    return digits.substring(0, 4) + "*".repeat(digits.length() - 8) + digits.substring(digits.length() - 4);
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
}
