package io.xredline.config;

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

  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int authorityStart = scheme + 3;
    int queryStart = firstOf(url, authorityStart, '?', '#');
    // the password may itself hold a raw '@': the host starts after the last one
    int at = url.lastIndexOf('@', queryStart - 1);
    if (at < authorityStart) {
      return url;
    }
    int colon = url.indexOf(':', authorityStart);
    if (colon < 0 || colon > at) {
      return url;
    }
    return url.substring(0, colon + 1) + "****" + url.substring(at);
  }

  private static final java.util.regex.Pattern URL_CREDENTIALS =
      java.util.regex.Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^\\s/@:]*:)[^\\s@/]+@");

  /** Masks the password of every URL inside a free text, such as a client's error message naming an endpoint. */
  public static String maskUrlsIn(String text) {
    return text == null ? null : URL_CREDENTIALS.matcher(text).replaceAll("$1****@");
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
