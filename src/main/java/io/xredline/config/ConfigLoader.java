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
    List<Violation> missing = new ArrayList<>();
    for (Path file : sources.files()) {
      if (!Files.isReadable(file)) {
        missing.add(new Violation("--conf", "file not found or not readable", ConfigReader.quote(file.toString())));
      }
    }
    if (!missing.isEmpty()) {
      return Future.failedFuture(new InvalidConfigException(missing));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(-1).setIncludeDefaultStores(false);
    options.addStore(classpath("conf/config.yaml", false));
    options.addStore(classpath("conf/config-" + sources.env() + ".yaml", true));
    options.addStore(yamlFile(Path.of("conf", "config-" + sources.env() + ".yaml").toAbsolutePath(), true));
    for (Path file : sources.files()) {
      options.addStore(yamlFile(file.toAbsolutePath(), false));
    }
    options.addStore(json(fromEnvironment(sources.environment())));
    options.addStore(json(fromProperties(sources.properties())));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .map(merged -> (JsonObject) resolve(merged, sources.environment()))
        .recover(e -> Future.failedFuture(e instanceof InvalidConfigException ? e
            : new InvalidConfigException(List.of(new Violation("config", "could not be read: " + RootCause.message(e), null)))))
        .eventually(retriever::close);
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
    JsonObject tree = new JsonObject();
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.contains("__")) {
        String path = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        put(tree, path.split("__"), value);
      }
    });
    return tree;
  }

  static JsonObject fromProperties(Properties properties) {
    JsonObject tree = new JsonObject();
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith(SYS_PREFIX) && name.length() > SYS_PREFIX.length()) {
        put(tree, name.substring(SYS_PREFIX.length()).split("\\."), properties.getProperty(name));
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
