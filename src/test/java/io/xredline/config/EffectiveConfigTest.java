package io.xredline.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
@DisplayName("the effective configuration: each key's layer, secrets masked, unknown keys named with the closest known one")
class EffectiveConfigTest {
  private static final String PROD_FILE = "(conf/config-prod\\.yaml \\(jar\\)|/\\S*/conf/config-prod\\.yaml)";

  private static EffectiveConfig load(Vertx vertx, String env, List<Path> files, Map<String, String> environment,
                                      Properties properties) throws Exception {
    return ConfigLoader.loadEffective(vertx, new ConfigLoader.Sources(env, files, environment, properties))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Map<String, String> prodEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET_KEY", ConfigTrees.PROD_SECRET);
    env.put("DATABASE_URL", ConfigTrees.PROD_DB_URL);
    env.put("REDIS_URL", ConfigTrees.PROD_REDIS_URL);
    env.put("TOTP_ENCRYPTION_KEY", ConfigTrees.PROD_TOTP_KEY);
    env.put("XREDLINE_MASTER_KEY", ConfigTrees.PROD_MASTER_KEY);
    return env;
  }

  @Test
  @DisplayName("every layer is named where it set a key: jar defaults, jar env file with its ${VAR}, --conf file, env override, -D property")
  void originsPerKey(Vertx vertx, @TempDir Path dir) throws Exception {
    Path extra = dir.resolve("extra.yaml");
    Files.writeString(extra, "server:\n  http:\n    timeout: 10s\nfeatures:\n  beta: true\n");
    Map<String, String> environment = prodEnvironment();
    environment.put("XREDLINE_SERVER__HTTP__PORT", "8080");
    Properties properties = new Properties();
    properties.setProperty("xredline.log.level", "debug");
    EffectiveConfig effective = load(vertx, "prod", List.of(extra), environment, properties);

    String yaml = effective.toYaml(ConfigParser.keys(effective.tree()));

    assertThat(yaml)
        .contains("    host: \"0.0.0.0\"  # from conf/config.yaml (jar)\n")
        .contains("    port: \"8080\"  # from env XREDLINE_SERVER__HTTP__PORT\n")
        .contains("    timeout: 10s  # from " + extra.toAbsolutePath() + "\n")
        .contains("  beta: true  # from " + extra.toAbsolutePath() + "\n")
        .contains("  level: debug  # from -Dxredline.log.level\n")
        // the prod file is the jar's, or ./conf's when the working directory has one (this repository's root)
        .containsPattern("\n    url: \"postgresql://app:\\*\\*\\*\\*@db.internal:5432/app\\?sslmode=require\"  # from "
            + PROD_FILE + " via \\$\\{DATABASE_URL}\n")
        .containsPattern("\n    allow_insecure: \"false\"  # from " + PROD_FILE
            + " via \\$\\{DATABASE_ALLOW_INSECURE} unset, default used\n")
        .containsPattern("\n    secret_key: \"\\*\\*\\*\\*\"  # from " + PROD_FILE + " via \\$\\{JWT_SECRET_KEY}; secret, "
            + ConfigTrees.PROD_SECRET.length() + " characters\n")
        .contains("    encryption_key: \"****\"")
        .contains("    password: null  # from conf/config.yaml (jar)\n")
        .doesNotContain(ConfigTrees.PROD_SECRET, "db-pass-4711", "redis-pass-4712", ConfigTrees.PROD_TOTP_KEY,
            ConfigTrees.PROD_MASTER_KEY);
    for (String line : yaml.split("\n")) {
      if (!line.startsWith("#") && !line.endsWith(":")) {
        assertThat(line).as("a value line names its layer").contains("  # from ");
      }
    }
  }

  @Test
  @DisplayName("the printed YAML reads back as the effective tree, secrets replaced by ****")
  void printedYamlIsTheTree(Vertx vertx) throws Exception {
    EffectiveConfig effective = load(vertx, "prod", List.of(), prodEnvironment(), new Properties());
    List<KeySpec> keys = ConfigParser.keys(effective.tree());
    JsonObject printed = new JsonObject(new Yaml().<java.util.Map<String, Object>>load(effective.toYaml(keys)));

    for (KeySpec key : keys) {
      Object expected = value(effective.tree(), key.path());
      Object shown = value(printed, key.path());
      if (key.type().startsWith("secret") && expected != null) {
        assertThat(shown).as(key.path()).isEqualTo("****");
      } else if (expected instanceof String text && text.contains("@")) {
        assertThat(shown).as(key.path()).isEqualTo(Secrets.maskUrl(text));
      } else if (expected instanceof Number || expected instanceof Boolean) {
        assertThat(String.valueOf(shown)).as(key.path()).isEqualTo(String.valueOf(expected));
      } else {
        assertThat(shown).as(key.path()).isEqualTo(expected);
      }
    }
  }

  @Test
  @DisplayName("a misspelt key is a warning naming the closest known key (dev), and a violation in prod")
  void unknownKeys(Vertx vertx) throws Exception {
    Map<String, String> dev = Map.of("XREDLINE_SERVER__HTTP__PROT", "8080", "XREDLINE_LOG__FORMATT", "text",
        "XREDLINE_TOTALLY__UNRELATED", "x");
    ConfigParser.Checked checked = ConfigParser.check(load(vertx, "dev", List.of(), dev, new Properties()));
    assertThat(checked.warnings()).extracting(Violation::toString).containsExactlyInAnyOrder(
        "server.http.prot: unknown key; did you mean server.http.port? (set in env XREDLINE_SERVER__HTTP__PROT)",
        "log.formatt: unknown key; did you mean log.format? (set in env XREDLINE_LOG__FORMATT)",
        "totally: unknown key (set in env XREDLINE_TOTALLY__UNRELATED)");

    Map<String, String> prod = prodEnvironment();
    prod.put("XREDLINE_SERVER__HTTP__PROT", "8080");
    EffectiveConfig effective = load(vertx, "prod", List.of(), prod, new Properties());
    assertThatThrownBy(() -> ConfigParser.check(effective)).isInstanceOfSatisfying(InvalidConfigException.class,
        e -> assertThat(e.violations()).extracting(Violation::toString).containsExactly(
            "server.http.prot: unknown key; did you mean server.http.port? (set in env XREDLINE_SERVER__HTTP__PROT)"));
  }

  @Test
  @DisplayName("keys under free-form maps (features, plugins, headers.values, http_dependencies) are never unknown")
  void freeFormMapsAreOpen(Vertx vertx, @TempDir Path dir) throws Exception {
    Path extra = dir.resolve("extra.yaml");
    Files.writeString(extra, """
        features: {beta: {enabled: true, percent: 10}}
        plugins: {audit_export: {url: "https://x.example"}}
        security: {headers: {values: {Permissions-Policy: "camera=()"}}}
        monitoring: {health: {http_dependencies: {billing: "https://billing.internal/health"}}}
        """);
    ConfigParser.Checked checked = ConfigParser.check(load(vertx, "dev", List.of(extra), Map.of(), new Properties()));
    assertThat(checked.warnings()).isEmpty();
  }

  @Test
  @DisplayName("the known keys never depend on other values: smtp.* and allowed_algorithms are known with no SMTP host set")
  void conditionalKeysAreKnown() {
    List<String> fromEmpty = ConfigParser.keys(new JsonObject()).stream().map(KeySpec::path).toList();
    assertThat(fromEmpty).contains("auth.captcha.email.smtp.host", "auth.captcha.email.smtp.port",
        "auth.captcha.email.smtp.username", "auth.captcha.email.smtp.password", "auth.captcha.email.smtp.starttls",
        "auth.captcha.email.smtp.ssl", "auth.jwt.allowed_algorithms");
    assertThat(fromEmpty).containsExactlyInAnyOrderElementsOf(
        ConfigParser.keys(ConfigTrees.devTree("auth.captcha.email.smtp.host", "mail.internal")).stream()
            .map(KeySpec::path).toList());
  }

  @Test
  @DisplayName("a typo one edit away (swap, drop, add) is suggested; a far-off name is not")
  void closest() {
    List<String> known = List.of("server.http.port", "server.http.host", "log.format", "data.database.url");
    assertThat(EffectiveConfig.closest("server.http.prot", known)).isEqualTo("server.http.port");
    assertThat(EffectiveConfig.closest("data.databse.url", known)).isEqualTo("data.database.url");
    assertThat(EffectiveConfig.closest("log.formats", known)).isEqualTo("log.format");
    assertThat(EffectiveConfig.closest("server.http.banana", known)).isNull();
  }

  private static Object value(JsonObject tree, String path) {
    Object node = tree;
    for (String part : path.split("\\.")) {
      if (!(node instanceof JsonObject o)) {
        return null;
      }
      node = o.getValue(part);
    }
    return node;
  }
}
