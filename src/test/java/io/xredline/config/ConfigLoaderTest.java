package io.xredline.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The layers of CONTRACT §2 through the real vertx-config stores, with explicit environment maps and
 * properties so the process environment is never read or changed. The {@code ./conf} layer needs a
 * different working directory and is covered by {@link WorkingDirectoryLayerTest}.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("ConfigLoader: layers, overrides and placeholders")
class ConfigLoaderTest {
  static final String DEV_SECRET = "xredline-dev-secret-key-change-me-0123456789";
  static final String TEST_SECRET = "xredline-test-secret-key-not-for-production-0123";

  @TempDir
  Path dir;

  private Path yaml(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  static JsonObject load(Vertx vertx, String env, List<Path> files, Map<String, String> environment, Properties properties)
      throws Exception {
    return ConfigLoader.load(vertx, new ConfigLoader.Sources(env, files, environment, properties))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static JsonObject load(Vertx vertx, String env, List<Path> files, Map<String, String> environment) throws Exception {
    return load(vertx, env, files, environment, new Properties());
  }

  static InvalidConfigException loadFailure(Vertx vertx, String env, List<Path> files) {
    Throwable thrown = catchThrowable(() -> load(vertx, env, files, Map.of()));
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    assertThat(thrown.getCause()).isInstanceOf(InvalidConfigException.class);
    return (InvalidConfigException) thrown.getCause();
  }

  private static Properties properties(String... namesAndValues) {
    Properties p = new Properties();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      p.setProperty(namesAndValues[i], namesAndValues[i + 1]);
    }
    return p;
  }

  private static Object at(JsonObject tree, String dottedPath) {
    Object node = tree;
    for (String key : dottedPath.split("\\.")) {
      if (!(node instanceof JsonObject o)) {
        return null;
      }
      node = o.getValue(key);
    }
    return node;
  }

  @Nested
  @DisplayName("shipped layers")
  class ShippedLayers {
    @Test
    @DisplayName("with nothing configured, the jar's conf/config.yaml gives complete dev defaults")
    void jarDefaults(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of());

      assertThat(at(tree, "server.http.port")).isEqualTo(8000);
      assertThat(at(tree, "server.grpc.port")).isEqualTo(9000);
      assertThat(at(tree, "server.http.max_body_size")).isEqualTo("1MB");
      assertThat(at(tree, "auth.jwt.secret_key")).isEqualTo(DEV_SECRET);
      assertThat(at(tree, "log.level")).isEqualTo("info");
      assertThat(at(tree, "log.format")).isEqualTo("auto");
      assertThat(tree.fieldNames()).contains("server", "data", "auth", "log", "security", "monitoring",
          "plugins", "features", "cluster");
    }

    @Test
    @DisplayName("empty YAML values (data.database.url:) are absent after loading, so the embedded defaults apply")
    void emptyValuesAreAbsent(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of());

      assertThat(tree.getJsonObject("data").getJsonObject("database").containsKey("url")).isFalse();
      assertThat(tree.getJsonObject("data").getJsonObject("redis").containsKey("url")).isFalse();
      assertThat(tree.getJsonObject("auth").getJsonObject("captcha").containsKey("fixed_code")).isFalse();
    }

    @Test
    @DisplayName("the jar's conf/config-test.yaml wins over conf/config.yaml and keeps its other keys (deep merge)")
    void testLayerWinsOverDefaults(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "test", List.of(), Map.of());

      assertThat(at(tree, "auth.jwt.secret_key")).isEqualTo(TEST_SECRET);
      assertThat(at(tree, "log.level")).isEqualTo("warn");
      assertThat(at(tree, "auth.captcha.fixed_code")).isEqualTo("123456");
      assertThat(at(tree, "auth.jwt.issuer")).isEqualTo("xredline");
      assertThat(at(tree, "auth.captcha.expiration")).isEqualTo("5m");
      assertThat(at(tree, "log.format")).isEqualTo("auto");
      assertThat(at(tree, "server.http.port")).isEqualTo(8000);
    }

    @Test
    @DisplayName("placeholders in the shipped env files read the environment map (XREDLINE_LOG_FORMAT, XREDLINE_TEST_CAPTCHA)")
    void shippedPlaceholders(Vertx vertx) throws Exception {
      assertThat(at(load(vertx, "dev", List.of(), Map.of("XREDLINE_LOG_FORMAT", "text")), "log.format")).isEqualTo("text");
      assertThat(at(load(vertx, "test", List.of(), Map.of("XREDLINE_TEST_CAPTCHA", "654321")), "auth.captcha.fixed_code"))
          .isEqualTo("654321");
    }

    @Test
    @DisplayName("an environment without its own file (neither in the jar nor in ./conf) loads the defaults alone")
    void environmentFileIsOptional(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "staging", List.of(), Map.of());

      assertThat(at(tree, "auth.jwt.secret_key")).isEqualTo(DEV_SECRET);
      assertThat(at(tree, "log.format")).isEqualTo("auto");
    }
  }

  @Nested
  @DisplayName("--conf files")
  class ConfFiles {
    @Test
    @DisplayName("win over the environment file; a later file wins over an earlier one; maps merge deeply; lists are replaced")
    void laterFileWinsDeepMergeListsReplaced(Vertx vertx) throws Exception {
      Path first = yaml("first.yaml", """
          server:
            http:
              port: 8100
              timeout: 45s
          auth:
            jwt:
              issuer: first-issuer
          log:
            level: debug
          security:
            cors:
              allowed_methods: [GET, POST, PUT]
              allowed_origins: [https://one.example.com, https://two.example.com]
          """);
      Path second = yaml("second.yaml", """
          server:
            http:
              port: 8200
          security:
            cors:
              allowed_methods: [GET]
          """);

      JsonObject tree = load(vertx, "test", List.of(first, second), Map.of());

      assertThat(at(tree, "server.http.port")).as("later file wins").isEqualTo(8200);
      assertThat(at(tree, "server.http.timeout")).as("earlier file's sibling kept").isEqualTo("45s");
      assertThat(at(tree, "server.http.host")).as("jar default sibling kept").isEqualTo("0.0.0.0");
      assertThat(at(tree, "auth.jwt.issuer")).isEqualTo("first-issuer");
      assertThat(at(tree, "auth.jwt.secret_key")).as("env file layer kept under --conf").isEqualTo(TEST_SECRET);
      assertThat(at(tree, "log.level")).as("--conf wins over config-test.yaml").isEqualTo("debug");
      assertThat(at(tree, "security.cors.allowed_methods")).as("list replaced, not concatenated")
          .isEqualTo(new JsonArray().add("GET"));
      assertThat(at(tree, "security.cors.allowed_origins"))
          .isEqualTo(new JsonArray().add("https://one.example.com").add("https://two.example.com"));
      assertThat(at(tree, "security.cors.allowed_headers")).as("jar list untouched")
          .isEqualTo(new JsonArray().add("Authorization").add("Content-Type").add("X-Request-ID"));
    }

    @Test
    @DisplayName("an empty value in a later file removes the key, restoring the built-in meaning (embedded database)")
    void emptyValueClearsEarlierValue(Vertx vertx) throws Exception {
      Path first = yaml("first.yaml", "data:\n  database:\n    url: postgresql://app:pw@db:5432/app\n");
      Path second = yaml("second.yaml", "data:\n  database:\n    url:\n");

      assertThat(at(load(vertx, "dev", List.of(first), Map.of()), "data.database.url"))
          .isEqualTo("postgresql://app:pw@db:5432/app");
      assertThat(at(load(vertx, "dev", List.of(first, second), Map.of()), "data.database.url")).isNull();
    }

    @Test
    @DisplayName("an integer too large for a long is reported as out of range, not truncated into range")
    void hugeIntegerIsOutOfRange(Vertx vertx) throws Exception {
      // 2^64 + 8000: its low 64 bits are 8000
      Path file = yaml("huge.yaml", "server:\n  http:\n    port: 18446744073709559616\n");

      JsonObject tree = load(vertx, "dev", List.of(file), Map.of());

      assertThat(ConfigTrees.violations(tree, "dev")).containsExactly(
          "server.http.port: must be between 0 and 65535 (got 18446744073709559616)");
    }

    @Test
    @DisplayName("an empty --conf file changes nothing")
    void emptyFile(Vertx vertx) throws Exception {
      Path empty = yaml("empty.yaml", "");

      assertThat(load(vertx, "dev", List.of(empty), Map.of())).isEqualTo(load(vertx, "dev", List.of(), Map.of()));
    }

    @Test
    @DisplayName("a missing --conf file fails with `--conf: file not found or not readable (got \"…\")`")
    void missingFile(Vertx vertx) throws Exception {
      Path present = yaml("present.yaml", "log:\n  level: debug\n");
      Path missing = dir.resolve("missing.yaml");
      Path alsoMissing = Path.of("relative/also-missing.yaml");

      InvalidConfigException e = loadFailure(vertx, "dev", List.of(missing, present, alsoMissing));

      assertThat(e.violations()).extracting(Violation::toString).containsExactly(
          "--conf: file not found or not readable (got \"" + missing + "\")",
          "--conf: file not found or not readable (got \"relative/also-missing.yaml\")");
    }

    @TestFactory
    @DisplayName("an unparseable --conf file fails with an InvalidConfigException naming the file and the problem, not a raw exception")
    Stream<DynamicTest> malformedFile(Vertx vertx) {
      return Map.of(
              "unclosed flow sequence", "server:\n  http:\n    port: [8000\n",
              "bad indentation", "server:\n  http:\n    port: 8000\n   host: x\n",
              "tab indentation", "server:\n\thttp: 1\n",
              "a list at the top level", "- server\n- data\n",
              "a scalar at the top level", "just a string\n")
          .entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> dynamicTest(e.getKey(), () -> {
            Path bad = yaml(e.getKey().replace(' ', '-') + ".yaml", e.getValue());

            InvalidConfigException failure = loadFailure(vertx, "dev", List.of(bad));

            assertThat(failure.violations()).singleElement().satisfies(v -> {
              assertThat(v.path()).isEqualTo(bad.toAbsolutePath().toString());
              assertThat(v.problem()).startsWith("could not be read: ").hasSizeGreaterThan("could not be read: ".length());
            });
          }));
    }
  }

  @Nested
  @DisplayName("XREDLINE_A__B__C environment overrides")
  class EnvironmentOverrides {
    @Test
    @DisplayName("XREDLINE_SERVER__HTTP__PORT=8080 wins over --conf files and parses as the number 8080")
    void portOverride(Vertx vertx) throws Exception {
      Path file = yaml("port.yaml", "server:\n  http:\n    port: 8200\n");

      JsonObject tree = load(vertx, "dev", List.of(file), Map.of("XREDLINE_SERVER__HTTP__PORT", "8080"));

      assertThat(at(tree, "server.http.port")).isEqualTo("8080");
      assertThat(at(tree, "server.http.host")).as("sibling kept").isEqualTo("0.0.0.0");
      assertThat(ConfigParser.parse(tree, "dev").server().http().port()).isEqualTo(8080);
    }

    @Test
    @DisplayName("XREDLINE_AUTH__JWT__SECRET_KEY and XREDLINE_AUTH__CAPTCHA__FIXED_CODE=123456 work exactly as written")
    void secretAndCaptchaOverrides(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "test", List.of(), Map.of(
          "XREDLINE_AUTH__JWT__SECRET_KEY", "from-the-environment-0123456789abcdef",
          "XREDLINE_AUTH__CAPTCHA__FIXED_CODE", "123456",
          "XREDLINE_TEST_CAPTCHA", "999999"));

      AppConfig c = ConfigParser.parse(tree, "test");

      assertThat(c.auth().jwt().secretKey()).isEqualTo("from-the-environment-0123456789abcdef");
      assertThat(c.auth().captcha().fixedCode()).as("override wins over config-test.yaml's placeholder").isEqualTo("123456");
      assertThat(c.auth().jwt().issuer()).isEqualTo("xredline");
    }

    @Test
    @DisplayName("a comma-separated override becomes a list; booleans and durations arrive as strings and still parse")
    void stringOverridesParse(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of(
          "XREDLINE_SECURITY__CORS__ALLOWED_ORIGINS", "https://a.example.com,https://b.example.com",
          "XREDLINE_SECURITY__TLS__ENABLED", "false",
          "XREDLINE_SERVER__HTTP__TIMEOUT", "PT10S",
          "XREDLINE_LOG__LEVEL", "debug"));

      AppConfig c = ConfigParser.parse(tree, "dev");

      assertThat(c.security().cors().allowedOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
      assertThat(c.security().tls().enabled()).isFalse();
      assertThat(c.server().http().timeout()).hasSeconds(10);
      assertThat(c.log().level()).isEqualTo("debug");
    }

    @Test
    @DisplayName("variables without the XREDLINE_ prefix or without __ are not overrides")
    void unrelatedVariablesIgnored(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of(
          "SERVER__HTTP__PORT", "1111",
          "XREDLINE_PORT", "2222",
          "XREDLINE_ENV", "prod",
          "XREDLINE_CONFIG", "/nowhere.yaml",
          "xredline_server__http__port", "3333"));

      assertThat(at(tree, "server.http.port")).isEqualTo(8000);
      assertThat(tree.containsKey("port")).isFalse();
      assertThat(tree.containsKey("env")).isFalse();
      assertThat(tree.containsKey("config")).isFalse();
    }

    @Test
    @DisplayName("override names are case-insensitive after the prefix and map to snake_case keys")
    void lowerCasedPath(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of("XREDLINE_Monitoring__Health__MEMORY_THRESHOLD", "0.5"));

      assertThat(at(tree, "monitoring.health.memory_threshold")).isEqualTo("0.5");
      assertThat(at(tree, "monitoring.health.cache_ttl")).isEqualTo("1s");
    }
  }

  @Nested
  @DisplayName("-Dxredline.a.b.c properties")
  class PropertyOverrides {
    @Test
    @DisplayName("xredline.server.http.port=8181 wins over XREDLINE_SERVER__HTTP__PORT=8080")
    void propertyBeatsEnvironment(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of("XREDLINE_SERVER__HTTP__PORT", "8080"),
          properties("xredline.server.http.port", "8181"));

      assertThat(at(tree, "server.http.port")).isEqualTo("8181");
      assertThat(ConfigParser.parse(tree, "dev").server().http().port()).isEqualTo(8181);
    }

    @Test
    @DisplayName("properties without the xredline. prefix are ignored")
    void unrelatedPropertiesIgnored(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(), Map.of(),
          properties("server.http.port", "1111", "xredline", "x", "xredlinex.server.http.port", "2222", "user.dir", "/"));

      assertThat(at(tree, "server.http.port")).isEqualTo(8000);
      assertThat(tree.containsKey("user")).isFalse();
    }
  }

  @TestFactory
  @DisplayName("each layer wins over every layer below it")
  Stream<DynamicTest> eachLayerWins(Vertx vertx) throws IOException {
    Path first = yaml("layer-first.yaml", "auth:\n  jwt:\n    secret_key: from-first-conf-file\n");
    Path second = yaml("layer-second.yaml", "auth:\n  jwt:\n    secret_key: from-second-conf-file\n");
    record Layer(String name, String env, List<Path> files, Map<String, String> environment, Properties properties,
                 String expected) {
    }
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("jar conf/config.yaml", "dev", List.of(), Map.of(), new Properties(), DEV_SECRET));
    layers.add(new Layer("jar conf/config-test.yaml", "test", List.of(), Map.of(), new Properties(), TEST_SECRET));
    layers.add(new Layer("first --conf file", "test", List.of(first), Map.of(), new Properties(), "from-first-conf-file"));
    layers.add(new Layer("second --conf file", "test", List.of(first, second), Map.of(), new Properties(),
        "from-second-conf-file"));
    Map<String, String> environment = new HashMap<>(Map.of("XREDLINE_AUTH__JWT__SECRET_KEY", "from-environment"));
    layers.add(new Layer("XREDLINE_AUTH__JWT__SECRET_KEY", "test", List.of(first, second), environment, new Properties(),
        "from-environment"));
    layers.add(new Layer("-Dxredline.auth.jwt.secret_key", "test", List.of(first, second), environment,
        properties("xredline.auth.jwt.secret_key", "from-property"), "from-property"));
    return layers.stream().map(l -> dynamicTest(l.name(), () -> assertThat(
        at(load(vertx, l.env(), l.files(), l.environment(), l.properties()), "auth.jwt.secret_key"))
        .isEqualTo(l.expected())));
  }

  @Nested
  @DisplayName("${NAME} placeholders")
  class Placeholders {
    @Test
    @DisplayName("${NAME} is replaced from the environment map")
    void fromEnvironment(Vertx vertx) throws Exception {
      Path file = yaml("p.yaml", "server:\n  http:\n    host: ${BIND_HOST}\n");

      assertThat(at(load(vertx, "dev", List.of(file), Map.of("BIND_HOST", "127.0.0.1")), "server.http.host"))
          .isEqualTo("127.0.0.1");
    }

    @Test
    @DisplayName("${NAME:-default} falls back when NAME is unset or empty, and uses NAME when set")
    void defaultValue(Vertx vertx) throws Exception {
      Path file = yaml("p.yaml", "log:\n  level: ${LEVEL:-error}\n");

      assertThat(at(load(vertx, "dev", List.of(file), Map.of()), "log.level")).isEqualTo("error");
      assertThat(at(load(vertx, "dev", List.of(file), Map.of("LEVEL", "")), "log.level")).isEqualTo("error");
      assertThat(at(load(vertx, "dev", List.of(file), Map.of("LEVEL", "trace")), "log.level")).isEqualTo("trace");
    }

    @Test
    @DisplayName("placeholders embedded in a longer string are replaced in place, special characters kept literally")
    void embedded(Vertx vertx) throws Exception {
      Path file = yaml("p.yaml", "data:\n  database:\n    url: postgresql://app:${DB_PASSWORD}@${DB_HOST:-localhost}:5432/app\n");

      JsonObject tree = load(vertx, "dev", List.of(file), Map.of("DB_PASSWORD", "p$1\\x"));

      assertThat(at(tree, "data.database.url")).isEqualTo("postgresql://app:p$1\\x@localhost:5432/app");
    }

    @Test
    @DisplayName("a value that is only an unset ${NAME} is absent, so prod's data.database.url becomes required")
    void unsetPlaceholderMakesKeyAbsent(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "prod", List.of(), Map.of());

      assertThat(tree.getJsonObject("data").getJsonObject("database").containsKey("url")).isFalse();
      assertThat(tree.getJsonObject("auth").getJsonObject("jwt").containsKey("secret_key"))
          .as("prod's ${JWT_SECRET_KEY} removes the dev default rather than keeping it").isFalse();
      assertThat(ConfigTrees.violations(tree, "prod")).containsExactlyInAnyOrder(
          "auth.jwt.secret_key: is required",
          "security.kms.master_key: is required in prod (it protects every email and phone at rest);"
              + " set XREDLINE_MASTER_KEY (openssl rand -base64 32)",
          "data.database.url: is required in prod (the embedded PostgreSQL is for dev/test); set DATABASE_URL",
          "data.redis.url: is required in prod (the embedded Redis is for dev/test); set REDIS_URL");
    }

    @Test
    @DisplayName("placeholders in environment overrides and properties are resolved too")
    void inOverrides(Vertx vertx) throws Exception {
      JsonObject tree = load(vertx, "dev", List.of(),
          Map.of("XREDLINE_SERVER__HTTP__HOST", "${BIND_HOST:-127.0.0.2}", "GRPC_HOST", "127.0.0.3"),
          properties("xredline.server.grpc.host", "${GRPC_HOST}"));

      assertThat(at(tree, "server.http.host")).isEqualTo("127.0.0.2");
      assertThat(at(tree, "server.grpc.host")).isEqualTo("127.0.0.3");
    }

    @Test
    @DisplayName("placeholders inside lists are resolved")
    void inLists(Vertx vertx) throws Exception {
      Path file = yaml("p.yaml", "security:\n  cors:\n    allowed_origins: [\"https://${APP_HOST}\", \"${OTHER:-http://localhost:3000}\"]\n");

      JsonObject tree = load(vertx, "dev", List.of(file), Map.of("APP_HOST", "app.example.com"));

      assertThat(at(tree, "security.cors.allowed_origins"))
          .isEqualTo(new JsonArray().add("https://app.example.com").add("http://localhost:3000"));
    }

    @Test
    @DisplayName("a list entry that is only an unset ${NAME} is dropped, not turned into the text \"null\"")
    void unsetPlaceholderInList(Vertx vertx) throws Exception {
      Path file = yaml("p.yaml", "security:\n  cors:\n    allowed_origins: [\"${APP_ORIGIN}\", \"https://app.example.com\"]\n");

      JsonObject tree = load(vertx, "dev", List.of(file), Map.of());

      assertThat(ConfigTrees.violations(tree, "dev")).isEmpty();
      assertThat(ConfigParser.parse(tree, "dev").security().cors().allowedOrigins()).containsExactly("https://app.example.com");
    }

    @Test
    @DisplayName("text that is not a well-formed placeholder, and non-string values, are left as they are")
    void nonPlaceholdersUntouched(Vertx vertx) throws Exception {
      Path file = yaml("p.yaml", "features:\n  a: \"${1BAD}\"\n  b: \"cost ${\"\n  c: 42\n  d: true\n  e: \"$HOME\"\n");

      JsonObject features = load(vertx, "dev", List.of(file), Map.of("HOME", "/root")).getJsonObject("features");

      assertThat(features).isEqualTo(new JsonObject().put("a", "${1BAD}").put("b", "cost ${").put("c", 42).put("d", true)
          .put("e", "$HOME"));
    }
  }
}
