package io.xredline.auth;

import io.xredline.error.AppError;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The hand-written Authorization parsing gives exactly the answers of the split-and-regex rule it replaces. */
@Label("Tokens: Authorization header and JWT shape")
class TokenShapeTest {
  private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private static String reference(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return "TOKEN_MISSING";
    }
    String[] parts = authorization.trim().split("\\s+");
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer") || parts[1].length() > 8192
        || !JWT_SHAPE.matcher(parts[1]).matches()) {
      return "INVALID_TOKEN_FORMAT";
    }
    return "token:" + parts[1];
  }

  private static String actual(String authorization) {
    Throwable error = catchThrowable(() -> Tokens.bearer(authorization));
    if (error == null) {
      return "token:" + Tokens.bearer(authorization);
    }
    return ((AppError) error).reason().name();
  }

  @Property(tries = 4000)
  @Label("Tokens.bearer answers as trim().split(\"\\\\s+\") + the shape regex did")
  void bearerHeader(@ForAll("headers") String header) {
    assertThat(actual(header)).isEqualTo(reference(header));
  }

  @Property(tries = 3000)
  @Label("looksLikeJwt accepts exactly three base64url segments, the last possibly empty")
  void shape(@ForAll("tokens") String token) {
    assertThat(Tokens.looksLikeJwt(token)).isEqualTo(token.length() <= 8192 && JWT_SHAPE.matcher(token).matches());
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("aZ09_-.").ofMaxLength(12),
        Arbitraries.strings().withChars("aZ0.+/= \t").ofMaxLength(12),
        Arbitraries.strings().ofMaxLength(16));
  }

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> scheme = Arbitraries.of("Bearer", "bearer", "BEARER", "Basic", "Bearerx", "", "Bear");
    Arbitrary<String> gap = Arbitraries.of(" ", "  ", "\t", " \t\r\n", "\u000B", "\f", "", "\u00a0", "\u0001");
    return Arbitraries.oneOf(
        Arbitraries.lazy(this::tokens).flatMap(t -> scheme.flatMap(s -> gap.flatMap(g ->
            Arbitraries.of("", " ", "\t", " x", "\u0000").flatMap(tail ->
                Arbitraries.of("", " ", "\n").map(lead -> lead + s + g + t + tail))))),
        Arbitraries.strings().ofMaxLength(20));
  }
}
