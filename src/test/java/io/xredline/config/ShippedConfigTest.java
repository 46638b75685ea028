package io.xredline.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.xredline.config.ConfigLoaderTest.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

@ExtendWith(VertxExtension.class)
@DisplayName("the conf/*.yaml files shipped in the jar")
class ShippedConfigTest {
  private static final List<String> KNOWN = List.of(
      "conf/config.yaml", "conf/config-dev.yaml", "conf/config-test.yaml", "conf/config-prod.yaml");

  /** Every conf/config*.yaml on the classpath (the build copies the repo's conf/ there). */
  private static List<String> shippedFiles() throws Exception {
    URL dir = ShippedConfigTest.class.getClassLoader().getResource("conf");
    assertThat(dir).as("conf/ on the classpath").isNotNull();
    if (!"file".equals(dir.getProtocol())) {
      return KNOWN;
    }
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      return files.map(p -> "conf/" + p.getFileName())
          .filter(name -> name.matches("conf/config(-[a-z0-9]+)?\\.yaml")).sorted().toList();
    }
  }

  /** auth.jwt.secret_key as shipped: a placeholder's default counts, a bare ${NAME} sets nothing. */
  @SuppressWarnings("unchecked")
  private static String shippedSecret(String resource) throws Exception {
    try (InputStream in = ShippedConfigTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      Object doc = new Yaml().load(in);
      Object node = doc;
      for (String key : new String[] {"auth", "jwt", "secret_key"}) {
        if (!(node instanceof Map<?, ?> map)) {
          return null;
        }
        node = ((Map<String, Object>) map).get(key);
      }
      return node == null ? null : (String) ConfigLoader.resolve(String.valueOf(node), Map.of());
    }
  }

  @Test
  @DisplayName("the classpath holds the four documented files")
  void knownFilesAreShipped() throws Exception {
    assertThat(shippedFiles()).containsAll(KNOWN);
  }

  @Test
  @DisplayName("SHIPPED_JWT_SECRETS lists the secret_key of every shipped file that sets one, so prod refuses them all")
  void shippedSecretsListCannotDrift() throws Exception {
    Map<String, String> secrets = new TreeMap<>();
    for (String file : shippedFiles()) {
      String secret = shippedSecret(file);
      if (secret != null) {
        secrets.put(file, secret);
      }
    }

    assertThat(secrets).as("files that ship a secret").containsKeys("conf/config.yaml", "conf/config-test.yaml");
    secrets.forEach((file, secret) -> assertThat(ConfigParser.SHIPPED_JWT_SECRETS)
        .as("SHIPPED_JWT_SECRETS must contain the secret of %s", file).contains(secret));
  }

  @TestFactory
  @DisplayName("prod refuses each shipped secret when it arrives through JWT_SECRET_KEY")
  Stream<DynamicTest> prodRefusesShippedSecretsEndToEnd(Vertx vertx) {
    return ConfigParser.SHIPPED_JWT_SECRETS.stream().map(secret -> dynamicTest(secret.substring(0, 16) + "…", () -> {
      JsonObject tree = load(vertx, "prod", List.of(), prodEnvironment(secret));

      assertThat(ConfigTrees.violations(tree, "prod")).containsExactly(
          "auth.jwt.secret_key: must not be (or contain) a default shipped with xredline (got \"****\" ("
              + secret.length() + " characters))");
    }));
  }

  private static Map<String, String> prodEnvironment(String secret) {
    return Map.of(
        "JWT_SECRET_KEY", secret,
        "DATABASE_URL", ConfigTrees.PROD_DB_URL,
        "REDIS_URL", ConfigTrees.PROD_REDIS_URL,
        "TOTP_ENCRYPTION_KEY", ConfigTrees.PROD_TOTP_KEY,
        "XREDLINE_MASTER_KEY", ConfigTrees.PROD_MASTER_KEY);
  }

  @Test
  @DisplayName("dev and test load and validate with no environment at all")
  void devAndTestNeedNoConfiguration(Vertx vertx) throws Exception {
    AppConfig dev = ConfigParser.parse(load(vertx, "dev", List.of(), Map.of()), "dev");
    AppConfig test = ConfigParser.parse(load(vertx, "test", List.of(), Map.of()), "test");

    assertThat(dev.server().http().port()).isEqualTo(8000);
    assertThat(dev.server().http().instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(dev.server().http().maxBodySize()).isEqualTo(1024 * 1024);
    assertThat(dev.data().database().embedded()).isTrue();
    assertThat(dev.data().redis().embedded()).isTrue();
    assertThat(dev.security().headers().values()).containsKeys("X-Content-Type-Options", "X-Frame-Options",
        "Referrer-Policy", "Content-Security-Policy", "X-XSS-Protection");
    assertThat(dev.security().headers().hstsMaxAge()).hasDays(365);
    assertThat(dev.security().cors().allowedMethods()).containsExactly("GET", "POST", "PUT", "DELETE", "OPTIONS");
    assertThat(test.auth().captcha().fixedCode()).isEqualTo("123456");
    assertThat(test.log().level()).isEqualTo("warn");
  }

  @Test
  @DisplayName("prod validates when the seed's variables DATABASE_URL, REDIS_URL and JWT_SECRET_KEY (and TOTP_ENCRYPTION_KEY) are set")
  void prodWithSeedVariables(Vertx vertx) throws Exception {
    AppConfig prod = ConfigParser.parse(load(vertx, "prod", List.of(), prodEnvironment(ConfigTrees.PROD_SECRET)), "prod");

    assertThat(prod.isProd()).isTrue();
    assertThat(prod.auth().jwt().secretKey()).isEqualTo(ConfigTrees.PROD_SECRET);
    assertThat(prod.data().database().url()).isEqualTo(ConfigTrees.PROD_DB_URL);
    assertThat(prod.data().database().allowInsecure()).isFalse();
    assertThat(prod.data().redis().url()).isEqualTo(ConfigTrees.PROD_REDIS_URL);
    assertThat(prod.auth().captcha().fixedCode()).isNull();
    assertThat(java.util.Base64.getEncoder().encodeToString(prod.auth().totp().encryptionKey()))
        .isEqualTo(ConfigTrees.PROD_TOTP_KEY);
    assertThat(prod.log()).isEqualTo(new AppConfig.Log("info", "json", "auto"));
    assertThat(java.util.Base64.getEncoder().encodeToString(prod.security().kms().masterKey()))
        .isEqualTo(ConfigTrees.PROD_MASTER_KEY);
  }

  @Test
  @DisplayName("prod's DATABASE_ALLOW_INSECURE and LOG_LEVEL placeholders reach the typed config")
  void prodOptionalVariables(Vertx vertx) throws Exception {
    Map<String, String> environment = new HashMap<>(prodEnvironment(ConfigTrees.PROD_SECRET));
    environment.put("DATABASE_URL", "postgresql://app:pw@db.internal:5432/app?sslmode=disable");
    environment.put("DATABASE_ALLOW_INSECURE", "true");
    environment.put("LOG_LEVEL", "warn");

    AppConfig prod = ConfigParser.parse(load(vertx, "prod", List.of(), environment), "prod");

    assertThat(prod.data().database().allowInsecure()).isTrue();
    assertThat(prod.log().level()).isEqualTo("warn");
  }
}
