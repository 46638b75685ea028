package io.xredline.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.error.RootCause;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the layers of CONTRACT §2 through vertx-config, later wins: jar {@code conf/config.yaml},
 * {@code conf/config-<env>.yaml} (jar, then {@code ./conf}), {@code --conf} files and
 * {@code XREDLINE_CONFIG}, {@code XREDLINE_A__B} variables, {@code -Dxredline.a.b} properties.
 * {@code ${NAME}} and {@code ${NAME:-default}} placeholders are then resolved in every string value.
 */
public final class ConfigLoader {
  static final String ENV_PREFIX = "XREDLINE_";
  static final String SYS_PREFIX = "xredline.";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  /** Where configuration comes from; tests pass their own environment and properties. */
  public record Sources(String env, List<Path> files, Map<String, String> environment, Properties properties) {
    public static Sources system(String envFlag, List<Path> confFlags) {
      Map<String, String> environment = System.getenv();
      String env = envFlag != null ? envFlag : environment.getOrDefault("XREDLINE_ENV", "dev");
      List<Path> files = new ArrayList<>();
      String fromEnv = environment.get("XREDLINE_CONFIG");
      if (fromEnv != null && !fromEnv.isBlank()) {
        for (String f : fromEnv.split(",")) {
          files.add(Path.of(f.trim()));
        }
      }
      files.addAll(confFlags);
      return new Sources(env.trim().toLowerCase(Locale.ROOT), files, environment, System.getProperties());
    }
  }

  private ConfigLoader() {
  }

  /** Loads, merges and resolves placeholders; fails with {@link InvalidConfigException} on unreadable layers. */
  public static Future<JsonObject> load(Vertx vertx, Sources sources) {
    return loadEffective(vertx, sources).map(EffectiveConfig::tree);
  }

  /**
   * As {@link #load}, remembering which layer each key came from: the layers are read one by one
   * (each through the same vertx-config store as before) and merged here, later wins, objects
   * deep-merged and arrays replaced, exactly as vertx-config merges them.
   */
  public static Future<EffectiveConfig> loadEffective(Vertx vertx, Sources sources) {
    List<Violation> missing = new ArrayList<>();
    for (Path file : sources.files()) {
      if (!Files.isReadable(file)) {
        missing.add(new Violation("--conf", "file not found or not readable", ConfigReader.quote(file.toString())));
      }
    }
    if (!missing.isEmpty()) {
      return Future.failedFuture(new InvalidConfigException(missing));
    }
    List<Future<Layer>> layers = new ArrayList<>();
    layers.add(read(vertx, classpath("conf/config.yaml", false), "conf/config.yaml (jar)"));
    String envFile = "conf/config-" + sources.env() + ".yaml";
    layers.add(read(vertx, classpath(envFile, true), envFile + " (jar)"));
    Path local = Path.of("conf", "config-" + sources.env() + ".yaml").toAbsolutePath();
    layers.add(read(vertx, yamlFile(local, true), local.toString()));
    for (Path file : sources.files()) {
      layers.add(read(vertx, yamlFile(file.toAbsolutePath(), false), file.toAbsolutePath().toString()));
    }
    Map<String, String> envOrigins = new LinkedHashMap<>();
    layers.add(Future.succeededFuture(new Layer(fromEnvironment(sources.environment(), envOrigins), envOrigins::get, null)));
    Map<String, String> sysOrigins = new LinkedHashMap<>();
    layers.add(Future.succeededFuture(new Layer(fromProperties(sources.properties(), sysOrigins), sysOrigins::get, null)));
    return Future.all(new ArrayList<>(layers)).compose(all -> {
      List<Violation> unreadable = new ArrayList<>();
      JsonObject merged = new JsonObject();
      Map<String, String> origins = new LinkedHashMap<>();
      for (Future<Layer> f : layers) {
        Layer layer = f.result();
        if (layer.problem() != null) {
          unreadable.add(layer.problem());
        } else {
          merge(merged, layer.tree(), "", layer, origins);
        }
      }
      if (!unreadable.isEmpty()) {
        return Future.failedFuture(new InvalidConfigException(unreadable));
      }
      JsonObject resolved = (JsonObject) resolve(merged, sources.environment());
      return Future.succeededFuture(new EffectiveConfig(sources.env(), resolved, placeholders(merged, "", origins,
          sources.environment())));
    });
  }

  /** One layer's tree; {@code origin} names where a dotted key of it was set. */
  private record Layer(JsonObject tree, java.util.function.Function<String, String> origin, Violation problem) {
  }

  private static Future<Layer> read(Vertx vertx, ConfigStoreOptions store, String label) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setScanPeriod(-1).setIncludeDefaultStores(false).addStore(store));
    return retriever.getConfig()
        .map(tree -> new Layer(tree, path -> label, null))
        .recover(e -> Future.succeededFuture(new Layer(null, null,
            new Violation(label, "could not be read: " + RootCause.message(e), null))))
        .eventually(retriever::close);
  }

  /** {@code JsonObject.mergeIn(other, true)}, recording the layer of every value it writes. */
  private static void merge(JsonObject into, JsonObject from, String prefix, Layer layer, Map<String, String> origins) {
    from.forEach(e -> {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      Object existing = into.getValue(e.getKey());
      if (e.getValue() instanceof JsonObject next && existing instanceof JsonObject current) {
        merge(current, next, path, layer, origins);
        return;
      }
      origins.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "."));
      Object value = e.getValue() instanceof JsonObject o ? o.copy() : e.getValue();
      into.put(e.getKey(), value);
      record(value, path, layer.origin().apply(path), origins, layer);
    });
  }

  private static void record(Object value, String path, String origin, Map<String, String> origins, Layer layer) {
    if (value instanceof JsonObject object && !object.isEmpty()) {
      object.forEach(e -> {
        String child = path + "." + e.getKey();
        String childOrigin = layer.origin().apply(child);
        record(e.getValue(), child, childOrigin != null ? childOrigin : origin, origins, layer);
      });
    } else {
      origins.put(path, origin);
    }
  }

  /** Adds which environment variables a value read through {@code ${NAME}}, and whether each was set. */
  private static Map<String, String> placeholders(JsonObject merged, String prefix, Map<String, String> origins,
                                                  Map<String, String> environment) {
    merged.forEach(e -> {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject child) {
        placeholders(child, path, origins, environment);
      } else if (e.getValue() instanceof String text && text.contains("${")) {
        Matcher m = PLACEHOLDER.matcher(text);
        List<String> used = new ArrayList<>();
        while (m.find()) {
          String v = environment.get(m.group(1));
          used.add("${" + m.group(1) + "}" + (v == null || v.isEmpty()
              ? (m.group(3) != null ? " unset, default used" : " unset") : ""));
        }
        if (!used.isEmpty()) {
          origins.put(path, origins.get(path) + " via " + String.join(", ", used));
        }
      }
    });
    return origins;
  }

  private static ConfigStoreOptions classpath(String resource, boolean optional) {
    return new ConfigStoreOptions().setType(ClasspathConfigStore.TYPE).setFormat("yaml").setOptional(optional)
        .setConfig(new JsonObject().put("path", resource));
  }

  private static ConfigStoreOptions yamlFile(Path path, boolean optional) {
    return new ConfigStoreOptions().setType("file").setFormat("yaml").setOptional(optional)
        .setConfig(new JsonObject().put("path", path.toString()));
  }

  private static ConfigStoreOptions json(JsonObject tree) {
    return new ConfigStoreOptions().setType("json").setConfig(tree);
  }

  /** {@code XREDLINE_AUTH__JWT__SECRET_KEY=x} becomes {@code {auth:{jwt:{secret_key:x}}}}. */
  static JsonObject fromEnvironment(Map<String, String> environment) {
    return fromEnvironment(environment, new LinkedHashMap<>());
  }

  static JsonObject fromEnvironment(Map<String, String> environment, Map<String, String> origins) {
    JsonObject tree = new JsonObject();
    new java.util.TreeMap<>(environment).forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.contains("__")) {
        String[] path = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("__");
        put(tree, path, value);
        origins.put(String.join(".", path), "env " + name);
      }
    });
    return tree;
  }

  static JsonObject fromProperties(Properties properties) {
    return fromProperties(properties, new LinkedHashMap<>());
  }

  static JsonObject fromProperties(Properties properties, Map<String, String> origins) {
    JsonObject tree = new JsonObject();
    for (String name : new java.util.TreeSet<>(properties.stringPropertyNames())) {
      if (name.startsWith(SYS_PREFIX) && name.length() > SYS_PREFIX.length()) {
        String[] path = name.substring(SYS_PREFIX.length()).split("\\.");
        put(tree, path, properties.getProperty(name));
        origins.put(String.join(".", path), "-D" + name);
      }
    }
    return tree;
  }

  private static void put(JsonObject tree, String[] path, String value) {
    JsonObject node = tree;
    for (int i = 0; i < path.length - 1; i++) {
      Object next = node.getValue(path[i]);
      if (!(next instanceof JsonObject)) {
        next = new JsonObject();
        node.put(path[i], next);
      }
      node = (JsonObject) next;
    }
    node.put(path[path.length - 1], value);
  }

  /** Resolves placeholders everywhere; a value that is only an unset placeholder becomes absent. */
  static Object resolve(Object value, Map<String, String> environment) {
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      object.forEach(e -> {
        Object resolved = resolve(e.getValue(), environment);
        if (resolved != null) {
          out.put(e.getKey(), resolved);
        }
      });
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> {
        Object resolved = resolve(item, environment);
        if (resolved != null) {
          out.add(resolved);
        }
      });
      return out;
    }
    if (value instanceof String text && text.contains("${")) {
      Matcher m = PLACEHOLDER.matcher(text);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = environment.get(m.group(1));
        if (v == null || v.isEmpty()) {
          v = m.group(3) != null ? m.group(3) : "";
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      String resolved = sb.toString();
      return resolved.isEmpty() ? null : resolved;
    }
    return value;
  }
}
