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
    if (text == null || text.length() < 6) {
      return text;
    }
    List<Span> candidates = new ArrayList<>();
    find(candidates, KEY_VALUE, Kind.KEY_VALUE, text);
    find(candidates, JWT, Kind.JWT, text);
    find(candidates, BEARER, Kind.BEARER, text);
    find(candidates, EMAIL, Kind.EMAIL, text);
    find(candidates, ID_CARD, Kind.ID_CARD, text);
    find(candidates, BANK_CARD, Kind.BANK_CARD, text);
    find(candidates, CN_MOBILE, Kind.PHONE, text);
    find(candidates, E164, Kind.E164, text);
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
