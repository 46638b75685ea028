package io.xredline.config;

import io.vertx.core.json.JsonObject;

import java.util.List;

/** Builds configuration trees from dotted paths, as the loader would hand them to the parser. */
final class ConfigTrees {
  /** Long enough for prod, shipped nowhere. */
  static final String PROD_SECRET = "Zq8v-3LmT9x_Rk2pWb7nYc4dHs6jUe1f";
  static final String PROD_DB_URL = "postgresql://app:db-pass-4711@db.internal:5432/app?sslmode=require";
  static final String PROD_REDIS_URL = "redis://:redis-pass-4712@cache.internal:6379/0";
  /** 32 bytes in base64, shipped nowhere. */
  static final String PROD_TOTP_KEY = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
  /** The root key of envelope encryption: 32 bytes in base64, shipped nowhere. */
  static final String PROD_MASTER_KEY = "3q2+7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWc=";

  private ConfigTrees() {
  }

  /** A dev tree: every key at its parser default except the one key without a default. */
  static JsonObject devTree(Object... pathsAndValues) {
    return with(new JsonObject().put("auth", new JsonObject().put("jwt",
        new JsonObject().put("secret_key", "dev-tree-secret"))), pathsAndValues);
  }

  /** A prod tree that passes every prod rule, to break one rule at a time. */
  static JsonObject prodTree(Object... pathsAndValues) {
    JsonObject tree = new JsonObject();
    put(tree, "auth.jwt.secret_key", PROD_SECRET);
    put(tree, "data.database.url", PROD_DB_URL);
    put(tree, "data.redis.url", PROD_REDIS_URL);
    put(tree, "auth.totp.encryption_key", PROD_TOTP_KEY);
    put(tree, "security.kms.master_key", PROD_MASTER_KEY);
    return with(tree, pathsAndValues);
  }

  /** Sets each dotted path to its value; a null value removes the key. */
  static JsonObject with(JsonObject tree, Object... pathsAndValues) {
    for (int i = 0; i < pathsAndValues.length; i += 2) {
      put(tree, (String) pathsAndValues[i], pathsAndValues[i + 1]);
    }
    return tree;
  }

  static void put(JsonObject tree, String dottedPath, Object value) {
    String[] keys = dottedPath.split("\\.");
    JsonObject node = tree;
    for (int i = 0; i < keys.length - 1; i++) {
      if (!(node.getValue(keys[i]) instanceof JsonObject)) {
        node.put(keys[i], new JsonObject());
      }
      node = node.getJsonObject(keys[i]);
    }
    if (value == null) {
      node.remove(keys[keys.length - 1]);
    } else {
      node.put(keys[keys.length - 1], value);
    }
  }

  /**
   * Parses and returns every printed violation line, empty when the tree is valid. Also checks that
   * the exception message an operator sees is exactly those lines.
   */
  static List<String> violations(JsonObject tree, String env) {
    try {
      ConfigParser.parse(tree, env);
      return List.of();
    } catch (InvalidConfigException e) {
      List<String> lines = e.violations().stream().map(Violation::toString).toList();
      if (!e.getMessage().equals(String.join("\n", lines))) {
        throw new AssertionError("message differs from the violation lines: " + e.getMessage());
      }
      return lines;
    }
  }
}
