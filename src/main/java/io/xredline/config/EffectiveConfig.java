package io.xredline.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The merged configuration tree with, for every key, the layer it came from: what
 * {@code config check} prints (secrets masked) and what unknown-key warnings are judged on.
 */
public record EffectiveConfig(String env, JsonObject tree, Map<String, String> origins) {
  /** Key names whose values are credentials wherever they appear, free-form sections included. */
  static final Pattern SECRET_NAME = Pattern.compile(
      "(?i)(.*[_.-])?(password|passwd|secret|secret[_-]?key|token|api[_-]?key|encryption[_-]?key|master[_-]?key|private[_-]?key|credentials?)");
  /** Text YAML reads back as the same string without quotes: words, paths, and unit values such as 30s or 1MB. */
  private static final Pattern PLAIN = Pattern.compile(
      "([A-Za-z_/~][A-Za-z0-9_./@+~-]*( [A-Za-z0-9_./@+~()-]+)*)|([0-9]+(\\.[0-9]+)?[A-Za-z]+)");
  static final String MASK = "****";
  private static final Set<String> YAML_WORDS = Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n", "~");

  /** Where a dotted key was set, or {@code default} when no layer set it. */
  public String origin(String path) {
    String origin = origins.get(path);
    return origin == null ? "default (not set in any layer)" : "from " + origin;
  }

  /**
   * Keys no part of the service reads, each with the closest known key when one is near. Keys
   * below a free-form map ({@code features}, {@code security.headers.values}, …) are all known.
   */
  public List<Violation> unknownKeys(List<KeySpec> known) {
    Set<String> exact = new HashSet<>();
    Set<String> open = new HashSet<>();
    Set<String> sections = new HashSet<>();
    for (KeySpec key : known) {
      exact.add(key.path());
      if (key.type().startsWith("free-form") || key.type().startsWith("map of")) {
        open.add(key.path());
      }
      String path = key.path();
      for (int dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
        sections.add(path.substring(0, dot));
      }
    }
    List<String> candidates = new ArrayList<>(exact);
    candidates.addAll(sections);
    List<Violation> unknown = new ArrayList<>();
    walk(tree, "", exact, open, sections, candidates, unknown);
    return unknown;
  }

  private void walk(JsonObject node, String prefix, Set<String> exact, Set<String> open, Set<String> sections,
                    List<String> candidates, List<Violation> unknown) {
    for (String name : node.fieldNames()) {
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      if (exact.contains(path) || open.stream().anyMatch(o -> path.startsWith(o + "."))) {
        continue;
      }
      if (sections.contains(path)) {
        if (node.getValue(name) instanceof JsonObject child) {
          walk(child, path, exact, open, sections, candidates, unknown);
        }
        continue;
      }
      String closest = closest(path, candidates);
      String set = origins.entrySet().stream().filter(e -> e.getKey().equals(path) || e.getKey().startsWith(path + "."))
          .map(Map.Entry::getValue).findFirst().orElse(null);
      unknown.add(new Violation(path, "unknown key" + (closest == null ? "" : "; did you mean " + closest + "?")
          + (set == null ? "" : " (set in " + set + ")"), null));
    }
  }

  /** The nearest key by edit distance (a swap counts once), when it is near enough to be a typo. */
  static String closest(String path, List<String> candidates) {
    String last = path.substring(path.lastIndexOf('.') + 1);
    int allowed = Math.max(2, last.length() / 2);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates.stream().sorted().toList()) {
      int d = distance(path.toLowerCase(Locale.ROOT), candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return bestDistance <= allowed ? best : null;
  }

  /** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /**
   * The effective configuration as YAML, one comment per key naming its layer. Secrets (keys the
   * parser reads as secrets, credential-like names anywhere) print as {@code "****"}, URLs without
   * their password. Known keys no layer set print as {@code null}. The output is valid YAML.
   */
  public String toYaml(List<KeySpec> known) {
    Map<String, KeySpec> keys = new HashMap<>();
    known.forEach(k -> keys.put(k.path(), k));
    JsonObject shown = tree.copy();
    for (KeySpec key : known) {
      putIfAbsent(shown, key.path());
    }
    StringBuilder out = new StringBuilder();
    out.append("# xredline effective configuration, env ").append(env)
        .append(": every value with the layer it came from (later layers win); secrets masked\n");
    render(shown, "", 0, keys, out);
    return out.toString();
  }

  private static void putIfAbsent(JsonObject tree, String path) {
    String[] parts = path.split("\\.");
    JsonObject node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = node.getValue(parts[i]);
      if (next == null && !node.containsKey(parts[i])) {
        next = new JsonObject();
        node.put(parts[i], next);
      }
      if (!(next instanceof JsonObject child)) {
        return;
      }
      node = child;
    }
    if (!node.containsKey(parts[parts.length - 1])) {
      node.putNull(parts[parts.length - 1]);
    }
  }

  private void render(JsonObject node, String prefix, int depth, Map<String, KeySpec> keys, StringBuilder out) {
    String indent = "  ".repeat(depth);
    for (String name : node.fieldNames()) {
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      Object value = node.getValue(name);
      out.append(indent).append(key(name)).append(':');
      if (value instanceof JsonObject child && !child.isEmpty()) {
        out.append('\n');
        render(child, path, depth + 1, keys, out);
        continue;
      }
      Object shown = masked(name, value, keys.get(path));
      out.append(' ').append(scalar(shown)).append("  # ").append(origin(path));
      if (value != null && MASK.equals(shown) && !MASK.equals(value)) {
        out.append("; secret, ").append(String.valueOf(value).length()).append(" characters");
      }
      out.append('\n');
    }
  }

  static Object masked(String name, Object value, KeySpec key) {
    if (value == null) {
      return null;
    }
    boolean secret = (key != null && key.type().startsWith("secret"))
        || (value instanceof String && SECRET_NAME.matcher(name).matches());
    if (secret) {
      return MASK;
    }
    if (value instanceof String text && text.contains("://")) {
      return Secrets.maskUrl(text);
    }
    return value;
  }

  private static String key(String name) {
    return PLAIN.matcher(name).matches() && !YAML_WORDS.contains(name.toLowerCase(Locale.ROOT)) ? name : Json.encode(name);
  }

  static String scalar(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Boolean || value instanceof Number) {
      return String.valueOf(value);
    }
    if (value instanceof JsonObject object) {
      return object.isEmpty() ? "{}" : object.encode();
    }
    if (value instanceof JsonArray array) {
      List<String> items = new ArrayList<>();
      array.forEach(item -> items.add(item instanceof JsonObject || item instanceof JsonArray ? Json.encode(item)
          : scalar(item)));
      return "[" + String.join(", ", items) + "]";
    }
    String text = String.valueOf(value);
    boolean plain = PLAIN.matcher(text).matches() && !YAML_WORDS.contains(text.toLowerCase(Locale.ROOT));
    return plain ? text : Json.encode(text);
  }
}
