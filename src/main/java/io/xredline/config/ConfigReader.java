package io.xredline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one section of the merged configuration into typed values. Problems are collected, never
 * thrown one by one, so a single run reports every bad key; a bad key yields a safe fallback so
 * parsing can go on.
 */
final class ConfigReader {
  private final JsonObject json;
  private final String prefix;
  private final List<Violation> violations;
  private final Map<String, KeySpec> keys;

  ConfigReader(JsonObject json, String prefix, List<Violation> violations, Map<String, KeySpec> keys) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
    this.violations = violations;
    this.keys = keys;
  }

  /** {@code keys} collects every key read with its type, so the reference docs come from the parser itself. */
  static ConfigReader root(JsonObject json, List<Violation> violations, Map<String, KeySpec> keys) {
    return new ConfigReader(json, "", violations, keys);
  }

  private void declare(String key, String type) {
    keys.put(path(key), new KeySpec(path(key), type));
  }

  String path(String key) {
    return prefix.isEmpty() ? key : prefix + "." + key;
  }

  void violation(String key, String problem, Object shown) {
    violations.add(new Violation(path(key), problem, shown == null ? null : String.valueOf(shown)));
  }

  ConfigReader section(String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      violation(key, "must be a mapping", quote(value));
      return new ConfigReader(new JsonObject(), path(key), violations, keys);
    }
    return new ConfigReader((JsonObject) value, path(key), violations, keys);
  }

  /** The keys present in this section, in file order. */
  java.util.Set<String> names() {
    return json.fieldNames();
  }

  boolean has(String key) {
    Object value = json.getValue(key);
    return value != null && !(value instanceof String s && s.isBlank());
  }

  String string(String key, String fallback) {
    declare(key, "string");
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      violation(key, "must be a single value", quote(value));
      return fallback;
    }
    String text = String.valueOf(value).trim();
    return text.isEmpty() ? fallback : text;
  }

  /** Like {@link #string} but never echoes the value in a violation. */
  String secret(String key) {
    declare(key, "secret (never printed)");
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      violation(key, "must be a single value", "(a " + (value instanceof JsonObject ? "mapping" : "list") + ", not shown)");
      return null;
    }
    String text = String.valueOf(value).trim();
    return text.isEmpty() ? null : text;
  }

  String oneOf(String key, String fallback, Set<String> allowed) {
    String value = string(key, fallback);
    declare(key, "one of " + String.join(", ", allowed.stream().sorted().toList()));
    if (value == null) {
      return null;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(lower)) {
      violation(key, "must be one of " + String.join(", ", allowed.stream().sorted().toList()), quote(value));
      return fallback;
    }
    return lower;
  }

  int integer(String key, int fallback, int min, int max) {
    declare(key, "integer " + min + "…" + max);
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      // BigDecimal, not longValue(): a huge YAML integer must not wrap into range
      java.math.BigDecimal n = new java.math.BigDecimal(String.valueOf(value).trim());
      if (n.stripTrailingZeros().scale() > 0) {
        violation(key, "must be a whole number", quote(value));
        return fallback;
      }
      if (n.compareTo(java.math.BigDecimal.valueOf(min)) < 0 || n.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
        violation(key, "must be between " + min + " and " + max, value);
        return fallback;
      }
      return n.intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      violation(key, "must be a whole number", quote(value));
      return fallback;
    }
  }

  double decimal(String key, double fallback, double min, double max) {
    declare(key, "number " + min + "…" + max);
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      double n = value instanceof Number num ? num.doubleValue() : Double.parseDouble(String.valueOf(value).trim());
      if (Double.isNaN(n) || n < min || n > max) {
        violation(key, "must be between " + min + " and " + max, value);
        return fallback;
      }
      return n;
    } catch (NumberFormatException e) {
      violation(key, "must be a number", quote(value));
      return fallback;
    }
  }

  boolean bool(String key, boolean fallback) {
    declare(key, "boolean");
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> {
        violation(key, "must be true or false", quote(value));
        yield fallback;
      }
    };
  }

  Duration duration(String key, Duration fallback, Duration min, Duration max) {
    declare(key, "duration " + Units.format(min) + "…" + Units.format(max));
    return unit(key, fallback, Units::duration, d -> {
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        return "must be between " + Units.format(min) + " and " + Units.format(max);
      }
      return null;
    });
  }

  long bytes(String key, long fallback, long min, long max) {
    declare(key, "size " + min + "…" + max + " bytes");
    return unit(key, fallback, Units::bytes, n -> n < min || n > max ? "must be between " + min + " and " + max + " bytes" : null);
  }

  private <T> T unit(String key, T fallback, Function<String, T> parse, Function<T, String> check) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      T parsed = parse.apply(String.valueOf(value));
      String problem = check.apply(parsed);
      if (problem != null) {
        violation(key, problem, quote(value));
        return fallback;
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      violation(key, e.getMessage(), quote(value));
      return fallback;
    }
  }

  List<String> strings(String key) {
    declare(key, "list of strings (env: comma-separated)");
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      // env overrides arrive as one comma-separated string
      return s.isBlank() ? List.of() : List.of(s.split("\\s*,\\s*"));
    }
    if (!(value instanceof JsonArray array)) {
      violation(key, "must be a list", quote(value));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      out.add(String.valueOf(item));
    }
    return List.copyOf(out);
  }

  Map<String, String> stringMap(String key) {
    declare(key, "map of strings");
    Object value = json.getValue(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      violation(key, "must be a mapping", quote(value));
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    object.forEach(e -> out.put(e.getKey(), e.getValue() == null ? "" : String.valueOf(e.getValue())));
    return out;
  }

  JsonObject raw(String key) {
    declare(key, "free-form map");
    Object value = json.getValue(key);
    return value instanceof JsonObject o ? o.copy() : new JsonObject();
  }

  /** Parses a connection URL; the violation shows it with any password masked. */
  URI url(String key, Set<String> schemes) {
    String value = string(key, null);
    declare(key, "URL (" + String.join(", ", schemes.stream().sorted().toList()) + ")");
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT)) || uri.getHost() == null) {
        violation(key, "must be a URL with scheme " + String.join(" or ", schemes.stream().sorted().toList()) + " and a host",
            quote(Secrets.maskUrl(value)));
        return null;
      }
      return uri;
    } catch (Exception e) {
      violation(key, "is not a valid URL", quote(Secrets.maskUrl(value)));
      return null;
    }
  }

  static String quote(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }
}
