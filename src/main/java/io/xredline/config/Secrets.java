package io.xredline.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How secrets are shown in validation messages and start-up lines: never in clear. */
public final class Secrets {
  private Secrets() {
  }

  public static String mask(String secret) {
    if (secret == null) {
      return "(unset)";
    }
    return "\"****\" (" + secret.length() + " characters)";
  }

  /**
   * Where the password sits in {@code scheme://user:password@host…}: from {@code start} to
   * {@code end}, raw (not decoded). Redis reads a user info without a colon as the password.
   */
  private record PasswordSpan(int start, int end) {
  }

  /** The one reading of a URL's user info, for masking and for the prod checks; null when there is no password. */
  private static PasswordSpan passwordSpan(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int authorityStart = scheme + 3;
    int queryStart = firstOf(url, authorityStart, '?', '#');
    // the password may itself hold a raw '@': the host starts after the last one
    int at = url.lastIndexOf('@', queryStart - 1);
    if (at < authorityStart) {
      return null;
    }
    int colon = url.indexOf(':', authorityStart);
    if (colon >= 0 && colon < at) {
      return new PasswordSpan(colon + 1, at);
    }
    return url.startsWith("redis") ? new PasswordSpan(authorityStart, at) : null;
  }

  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    PasswordSpan password = passwordSpan(url);
    return password == null ? url : url.substring(0, password.start()) + "****" + url.substring(password.end());
  }

  /** The URL's password as written (still percent-encoded), or "" when it has none. */
  public static String urlPassword(String url) {
    PasswordSpan password = url == null ? null : passwordSpan(url);
    return password == null ? "" : url.substring(password.start(), password.end());
  }

  private static final Pattern URL_IN_TEXT = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^\\s,;\"'<>]+");

  /**
   * Masks the password of every URL inside a free text, such as a client's error message naming an
   * endpoint, by the same reading as {@link #maskUrl}.
   */
  public static String maskUrlsIn(String text) {
    return text == null ? null : URL_IN_TEXT.matcher(text).replaceAll(m -> Matcher.quoteReplacement(maskUrl(m.group())));
  }

  private static int firstOf(String s, int from, char... chars) {
    int best = s.length();
    for (char c : chars) {
      int i = s.indexOf(c, from);
      if (i >= 0 && i < best) {
        best = i;
      }
    }
    return best;
  }
}
