package io.xredline.observability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds CONTRACT §7's secrets and personal data in any text that reaches a log line and masks each
 * value by {@link Masking}'s rule for its kind. Every detector proposes spans;
 * spans are resolved once, in precedence order (secrets by key, JWTs, bearer tokens, emails,
 * ID cards, bank cards, phones), an accepted span is never re-examined, so the output is
 * deterministic and masking an already masked text changes nothing.
 */
public final class LogMasking {
  public static final String MASK = Masking.MASK;

  /** Key names whose values are secrets wherever they appear (JSON, key=value, headers). */
  public static final Pattern SECRET_KEY = Pattern.compile(
      "(?i)[A-Za-z0-9_.-]*(?:password|passwd|secret|token|authorization|cookie|api[_-]?key|captcha[_-]?code|totp[_-]?code|otp[_-]?code)[A-Za-z0-9_.-]*");

  private static final String NOT_BEFORE = "(?<![A-Za-z0-9_.+-])";
  private static final String NOT_AFTER = "(?![A-Za-z0-9_-])";

  private static final Pattern KEY_VALUE = Pattern.compile(
      "(?i)(?<key>[\"']?" + SECRET_KEY.pattern().substring(4) + "[\"']?)(?<sep>\\s*[:=]\\s*)"
          + "(?<val>\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|(?:(?:Bearer|Basic|Digest|Token)\\s+)?[^\\s,;&\"'}\\]]+)");
  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(?:Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]{8,}");
  private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
  private static final Pattern ID_CARD = Pattern.compile(
      NOT_BEFORE + "[1-9]\\d{5}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]" + NOT_AFTER);
  private static final Pattern BANK_CARD = Pattern.compile(
      NOT_BEFORE + "(?:\\d{12,19}|\\d{4}(?:[ -]\\d{4}){2,3}(?:[ -]\\d{1,3})?)" + NOT_AFTER);
  private static final Pattern CN_MOBILE = Pattern.compile(NOT_BEFORE + "1[3-9]\\d{9}" + NOT_AFTER);
  private static final Pattern E164 = Pattern.compile(NOT_BEFORE + "\\+[1-9]\\d{7,14}" + NOT_AFTER);

  private static final Pattern ENUM_CONSTANT = Pattern.compile("[A-Z0-9]+(?:_[A-Z0-9]+)+");

  private enum Kind { KEY_VALUE, JWT, BEARER, EMAIL, ID_CARD, BANK_CARD, PHONE, E164 }

  private record Span(int start, int end, Kind kind, Matcher match) {
    boolean overlaps(Span o) {
      return start < o.end && o.start < end;
    }
  }

  private LogMasking() {
  }

  public static String mask(String text) {
    return mask(text, true);
  }

  /** {@code screen} false runs every detector on every text: what the screened path must equal. */
  static String mask(String text, boolean screen) {
    if (text == null || text.length() < 6) {
      return text;
    }
    Traits t = screen ? Traits.of(text) : Traits.ALL;
    if (t.nothingToFind()) {
      return text;
    }
    List<Span> candidates = new ArrayList<>();
    if (t.keyValue) {
      find(candidates, KEY_VALUE, Kind.KEY_VALUE, text);
    }
    if (t.jwt) {
      find(candidates, JWT, Kind.JWT, text);
    }
    if (t.bearer) {
      find(candidates, BEARER, Kind.BEARER, text);
    }
    if (t.at) {
      find(candidates, EMAIL, Kind.EMAIL, text);
    }
    if (t.longestDigits >= 17) {
      find(candidates, ID_CARD, Kind.ID_CARD, text);
    }
    if (t.longestDigits >= 12 || t.digitGroups >= 3) {
      find(candidates, BANK_CARD, Kind.BANK_CARD, text);
    }
    if (t.longestDigits >= 11) {
      find(candidates, CN_MOBILE, Kind.PHONE, text);
    }
    if (t.plus && t.longestDigits >= 8) {
      find(candidates, E164, Kind.E164, text);
    }
    if (candidates.isEmpty()) {
      return text;
    }
    candidates.sort(Comparator.comparingInt((Span s) -> s.kind().ordinal()).thenComparingInt(Span::start));
    List<Span> accepted = new ArrayList<>();
    for (Span candidate : candidates) {
      if (accepted.stream().noneMatch(candidate::overlaps)) {
        accepted.add(candidate);
      }
    }
    accepted.sort(Comparator.comparingInt(Span::start));
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (Span span : accepted) {
      out.append(text, at, span.start()).append(replacement(span, text.substring(span.start(), span.end())));
      at = span.end();
    }
    return out.append(text, at, text.length()).toString();
  }

  /**
   * What one pass over the text shows, so a detector runs only where it could match: every field
   * here is a necessary condition of its pattern (a pattern skipped could not have matched), which
   * keeps the common line — nothing to mask — at one scan instead of eight regex searches.
   */
  private static final class Traits {
    /** Lower-case stems that every key name of {@link #SECRET_KEY} contains. */
    private static final String[] KEY_STEMS = {"pass", "secret", "token", "authorization", "cookie", "api", "captcha", "otp"};
    static final Traits ALL = all();
    boolean keyValue;
    boolean jwt;
    boolean bearer;
    boolean at;
    boolean plus;
    int longestDigits;
    int digitGroups;

    static Traits of(String text) {
      Traits t = new Traits();
      boolean separator = false;
      int run = 0;
      int n = text.length();
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        if (c >= '0' && c <= '9') {
          run++;
          continue;
        }
        t.endRun(run);
        run = 0;
        switch (c) {
          case '@' -> t.at = true;
          case '+' -> t.plus = true;
          case ':', '=' -> separator = true;
          case 'e' -> t.jwt |= i + 2 < n && text.charAt(i + 1) == 'y' && text.charAt(i + 2) == 'J';
          default -> { }
        }
        if (c == 'b' || c == 'B') {
          t.bearer |= text.regionMatches(true, i, "bearer", 0, 6) || text.regionMatches(true, i, "basic", 0, 5);
        }
      }
      t.endRun(run);
      t.keyValue = separator && containsStem(text);
      return t;
    }

    private static Traits all() {
      Traits t = new Traits();
      t.keyValue = t.jwt = t.bearer = t.at = t.plus = true;
      t.longestDigits = Integer.MAX_VALUE;
      t.digitGroups = Integer.MAX_VALUE;
      return t;
    }

    private void endRun(int run) {
      if (run > longestDigits) {
        longestDigits = run;
      }
      if (run == 4) {
        digitGroups++;
      }
    }

    private static boolean containsStem(String text) {
      String lower = text.toLowerCase(java.util.Locale.ROOT);
      for (String stem : KEY_STEMS) {
        if (lower.contains(stem)) {
          return true;
        }
      }
      return false;
    }

    boolean nothingToFind() {
      return !keyValue && !jwt && !bearer && !at && longestDigits < 8 && digitGroups < 3;
    }
  }

  private static void find(List<Span> into, Pattern pattern, Kind kind, String text) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      if (kind == Kind.KEY_VALUE && ENUM_CONSTANT.matcher(m.group("key")).matches()) {
        continue; // TOKEN_EXPIRED: ... is an error reason, not a token
      }
      Matcher snapshot = pattern.matcher(text);
      snapshot.find(m.start());
      into.add(new Span(m.start(), m.end(), kind, snapshot));
    }
  }

  private static String replacement(Span span, String found) {
    return switch (span.kind()) {
      case KEY_VALUE -> keyValue(span.match());
      case JWT -> "eyJ" + MASK;
      case BEARER -> found.substring(0, found.indexOf(' ')) + " " + MASK;
      case EMAIL -> Masking.email(found);
      case ID_CARD -> Masking.idCard(found);
      case BANK_CARD -> Masking.bankCard(found);
      case PHONE, E164 -> Masking.phone(found);
    };
  }

  private static String keyValue(Matcher m) {
    String value = m.group("val");
    String masked;
    if (value.startsWith("\"") || value.startsWith("'")) {
      char quote = value.charAt(0);
      masked = quote + MASK + quote;
    } else {
      masked = MASK;
    }
    return m.group("key") + m.group("sep") + masked;
  }
}
