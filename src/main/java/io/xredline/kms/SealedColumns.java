package io.xredline.kms;

import java.util.Locale;

/**
 * How the users table's sealed columns are bound and looked up, in one place for the service, the
 * migration that converts clear rows and the background re-encryption: each ciphertext's associated
 * data names its column and row; lookups hash the value in the form uniqueness is defined on
 * (emails case-insensitively, phones in E.164 as registration stores them).
 */
public final class SealedColumns {
  public static final String EMAIL = "email";
  public static final String PHONE = "phone";
  public static final String TOTP_SECRET = "totp_secret";

  private SealedColumns() {
  }

  public static String associatedData(String column, long userId) {
    return "users." + column + ":" + userId;
  }

  public static byte[] emailLookup(KeyRing ring, String email) {
    return email == null ? null : ring.lookup(EMAIL, email.toLowerCase(Locale.ROOT));
  }

  public static byte[] phoneLookup(KeyRing ring, String phone) {
    return phone == null ? null : ring.lookup(PHONE, phone);
  }
}
