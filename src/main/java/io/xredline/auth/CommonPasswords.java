package io.xredline.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** The bundled list of 30,000 common passwords (zxcvbn, MIT; see auth/NOTICE.md), loaded once. */
final class CommonPasswords {
  static final String RESOURCE = "auth/common-passwords.txt";

  private CommonPasswords() {
  }

  private static final class Holder {
    static final Set<String> WORDS = load();
  }

  static boolean contains(String password) {
    return Holder.WORDS.contains(password.toLowerCase(Locale.ROOT));
  }

  static int size() {
    return Holder.WORDS.size();
  }

  private static Set<String> load() {
    InputStream in = CommonPasswords.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException(RESOURCE + " is missing from the classpath");
    }
    Set<String> words = new HashSet<>(40_000);
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isEmpty()) {
          words.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(words);
  }
}
