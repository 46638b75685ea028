package io.xredline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One {@code features.<name>} definition (CONTRACT §12): {@code true | false} or
 * {@code {enabled, percent: 0–100, users: [..], roles: [..]}}. A bare boolean is on or off for
 * everyone; in the long form {@code percent} defaults to 100 when neither {@code users} nor
 * {@code roles} is given and to 0 otherwise, so {@code {users: [alice]}} means "only alice".
 * The one parser of the shape: the configuration validates with it, the features capability
 * reads the hot-reloaded section with it.
 */
public record FeatureFlag(String name, boolean enabled, int percent, Set<String> users, Set<String> roles) {
  private static final Set<String> FIELDS = Set.of("enabled", "percent", "users", "roles");

  public FeatureFlag {
    users = Set.copyOf(users);
    roles = Set.copyOf(roles);
  }

  /** The definition as {@code GET /api/v1/admin/features} shows it (always the long form). */
  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("percent", percent)
        .put("users", new JsonArray(users.stream().sorted().toList()))
        .put("roles", new JsonArray(roles.stream().sorted().toList()));
  }

  /** Every flag of a {@code features} section; a bad entry is reported to {@code problems(key, problem)} and left out. */
  public static Map<String, FeatureFlag> parseAll(JsonObject section, BiConsumer<String, String> problems) {
    Map<String, FeatureFlag> out = new LinkedHashMap<>();
    if (section == null) {
      return out;
    }
    for (String name : section.fieldNames()) {
      FeatureFlag flag = parse(name, section.getValue(name), problems);
      if (flag != null) {
        out.put(name, flag);
      }
    }
    return out;
  }

  private static FeatureFlag parse(String name, Object value, BiConsumer<String, String> problems) {
    if (!name.matches("[a-z][a-z0-9_.-]{0,63}")) {
      problems.accept(name, "a flag name must be lower case letters, digits, _ . - (at most 64)");
      return null;
    }
    Boolean bare = bool(value);
    if (bare != null) {
      return new FeatureFlag(name, bare, 100, Set.of(), Set.of());
    }
    if (!(value instanceof JsonObject o)) {
      problems.accept(name, "must be true, false or {enabled, percent, users, roles}");
      return null;
    }
    for (String field : o.fieldNames()) {
      if (!FIELDS.contains(field)) {
        problems.accept(name + "." + field, "unknown field: use enabled, percent, users or roles");
        return null;
      }
    }
    Boolean enabled = o.getValue("enabled") == null ? Boolean.TRUE : bool(o.getValue("enabled"));
    if (enabled == null) {
      problems.accept(name + ".enabled", "must be true or false");
      return null;
    }
    List<String> users = strings(o.getValue("users"));
    List<String> roles = strings(o.getValue("roles"));
    if (users == null || roles == null) {
      problems.accept(name + "." + (users == null ? "users" : "roles"), "must be a list of strings");
      return null;
    }
    Integer percent = o.getValue("percent") == null ? Integer.valueOf(users.isEmpty() && roles.isEmpty() ? 100 : 0)
        : integer(o.getValue("percent"));
    if (percent == null || percent < 0 || percent > 100) {
      problems.accept(name + ".percent", "must be a whole number from 0 to 100");
      return null;
    }
    return new FeatureFlag(name, enabled, percent, Set.copyOf(users), Set.copyOf(roles));
  }

  /** Environment and system-property overrides arrive as strings. */
  private static Boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      return t.equals("true") ? Boolean.TRUE : t.equals("false") ? Boolean.FALSE : null;
    }
    return null;
  }

  private static Integer integer(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return ((Number) v).intValue();
    }
    if (v instanceof String s && s.trim().matches("\\d{1,3}")) {
      return Integer.parseInt(s.trim());
    }
    return null;
  }

  private static List<String> strings(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return s.isBlank() ? List.of() : List.of(s.trim().split("\\s*,\\s*"));
    }
    if (!(v instanceof JsonArray a)) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object item : a) {
      if (!(item instanceof String) && !(item instanceof Number)) {
        return null;
      }
      out.add(String.valueOf(item));
    }
    return out;
  }
}
