package io.xredline.auth;

import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** CONTRACT §3's field rules for registration and how login names are recognised. */
final class CredentialRules {
  static final Pattern USERNAME = Pattern.compile("^[A-Za-z][A-Za-z0-9_]{2,31}$");
  static final int PASSWORD_MIN = 8;
  static final int PASSWORD_MAX = 128;
  private static final Pattern EMAIL = Pattern.compile(
      "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
  private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{7,14}$");
  private static final Pattern CN_MOBILE = Pattern.compile("^1[3-9][0-9]{9}$");
  /** Longest login name or password a login request may carry before it is refused unread. */
  static final int LOGIN_FIELD_MAX = 1024;

  private CredentialRules() {
  }

  static String username(String username) {
    if (username == null || username.isEmpty()) {
      throw new AppError(Reason.INVALID_USERNAME, "username is required");
    }
    if (!USERNAME.matcher(username).matches()) {
      throw new AppError(Reason.INVALID_USERNAME,
          "username must be 3-32 characters: a letter, then letters, digits or underscores");
    }
    return username;
  }

  /** NFC-normalised, so the same password typed on two keyboards hashes the same. */
  static String password(String password, String username) {
    if (password == null || password.isEmpty()) {
      throw new AppError(Reason.PASSWORD_WEAK, "password is required");
    }
    String normalized = normalizePassword(password);
    int length = normalized.codePointCount(0, normalized.length());
    if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
      throw new AppError(Reason.PASSWORD_WEAK, "password must be " + PASSWORD_MIN + "-" + PASSWORD_MAX + " characters");
    }
    if (username != null && normalized.equalsIgnoreCase(username)) {
      throw new AppError(Reason.PASSWORD_WEAK, "password must not be the username");
    }
    if (CommonPasswords.contains(normalized)) {
      throw new AppError(Reason.PASSWORD_WEAK, "password is too common; choose another");
    }
    return normalized;
  }

  static String normalizePassword(String password) {
    return Normalizer.normalize(password, Normalizer.Form.NFC);
  }

  static String email(String email) {
    if (email == null || email.isEmpty()) {
      throw new AppError(Reason.INVALID_EMAIL, "email is required");
    }
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      throw new AppError(Reason.INVALID_EMAIL, "email is not a valid address");
    }
    return email;
  }

  /** Optional; stored in E.164 ({@code 13812345678 → +8613812345678}) so each number has one form. */
  static String phone(String phone) {
    if (phone == null || phone.isEmpty()) {
      return null;
    }
    String normalized = normalizePhone(phone);
    if (normalized == null) {
      throw new AppError(Reason.INVALID_PHONE, "phone must be E.164 (+8613812345678) or an 11-digit CN mobile number");
    }
    return normalized;
  }

  static String normalizePhone(String phone) {
    if (CN_MOBILE.matcher(phone).matches()) {
      return "+86" + phone;
    }
    return E164.matcher(phone).matches() ? phone : null;
  }

  /**
   * An email or phone as codes are bound to it and as limits count it: emails in lower case
   * (addresses are unique case-insensitively here), phones in E.164.
   */
  static String targetKey(String emailOrPhone) {
    if (emailOrPhone.indexOf('@') >= 0) {
      return "email:" + emailOrPhone.toLowerCase(Locale.ROOT);
    }
    String phone = normalizePhone(emailOrPhone);
    return "phone:" + (phone == null ? emailOrPhone : phone);
  }

  enum LoginName { USERNAME, EMAIL, PHONE }

  /** A login name is an email when it has an {@code @}, a phone when it parses as one, else a username. */
  static LoginName kindOf(String login) {
    if (login.indexOf('@') >= 0) {
      return LoginName.EMAIL;
    }
    return normalizePhone(login) != null ? LoginName.PHONE : LoginName.USERNAME;
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
