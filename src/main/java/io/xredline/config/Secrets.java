package io.xredline.config;

import java.util.regex.Pattern;

/** How secrets are shown in validation messages and start-up lines: never in clear. */
public final class Secrets {
  private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@]*:)([^@]*)(@)");

  private Secrets() {
  }

  public static String mask(String secret) {
    if (secret == null) {
      return "(unset)";
    }
    return "\"****\" (" + secret.length() + " characters)";
  }

  public static String maskUrl(String url) {
    return url == null ? null : URL_PASSWORD.matcher(url).replaceAll("$1****$3");
  }
}
