package io.xredline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static io.xredline.config.ConfigTrees.PROD_DB_URL;
import static io.xredline.config.ConfigTrees.PROD_REDIS_URL;
import static io.xredline.config.ConfigTrees.PROD_SECRET;
import static io.xredline.config.ConfigTrees.devTree;
import static io.xredline.config.ConfigTrees.prodTree;
import static io.xredline.config.ConfigTrees.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

@DisplayName("prod rules (CONTRACT §2) and secret masking")
class ProdRulesTest {
  private static final String SHIPPED_RULE = "must not be (or contain) a default shipped with xredline";

  @Nested
  @DisplayName("prod")
  class Prod {
    @Test
    @DisplayName("a cluster in prod needs cluster.secret and event-bus TLS")
    void clusterNeedsSecretAndTls() {
      assertThat(violations(prodTree("cluster.enabled", true, "cluster.members", "10.0.0.1:5701"), "prod")).containsExactly(
          "cluster.secret: is required in prod when clustering is enabled (only members holding it can join)",
          "cluster.tls.enabled: must be true in prod when clustering is enabled (tokens and passwords cross the event bus) (got false)");
      assertThat(violations(prodTree(), "prod")).as("not clustered: no cluster rules").isEmpty();
    }

    @Test
    @DisplayName("accepts a long random secret, PostgreSQL with sslmode=require and a Redis with a password")
    void validProdConfigParses() {
      AppConfig c = ConfigParser.parse(prodTree(), "prod");

      assertThat(c.isProd()).isTrue();
      assertThat(c.auth().jwt().secretKey()).isEqualTo(PROD_SECRET);
      assertThat(c.data().database().url()).isEqualTo(PROD_DB_URL);
      assertThat(c.data().database().embedded()).isFalse();
      assertThat(c.data().redis().url()).isEqualTo(PROD_REDIS_URL);
      assertThat(c.data().redis().embedded()).isFalse();
    }

    @Test
    @DisplayName("refuses a missing root key (security.kms.master_key) and the shipped dev one, never printing it")
    void rootKey() {
      assertThat(violations(prodTree("security.kms.master_key", null), "prod")).containsExactly(
          "security.kms.master_key: is required in prod (it protects every email and phone at rest);"
              + " set XREDLINE_MASTER_KEY (openssl rand -base64 32)");
      String shipped = ConfigParser.SHIPPED_MASTER_KEYS.get(0);
      List<String> lines = violations(prodTree("security.kms.master_key", shipped), "prod");
      assertThat(lines).containsExactly(
          "security.kms.master_key: must not be the dev key shipped with xredline (got \"****\" (44 characters))");
      assertThat(violations(prodTree("security.kms.master_key", "c2hvcnQ="), "prod")).containsExactly(
          "security.kms.master_key: must be 32 random bytes in base64 (openssl rand -base64 32) (got \"****\" (8 characters))",
          "security.kms.master_key: is required in prod (it protects every email and phone at rest);"
              + " set XREDLINE_MASTER_KEY (openssl rand -base64 32)");
      assertThat(String.join("\n", lines)).doesNotContain(shipped);
      assertThat(ConfigParser.parse(prodTree(), "prod").security().kms().masterKey()).hasSize(32);
    }

    @Test
    @DisplayName("dev and test fall back to the shipped dev root key, which is the one config.yaml ships")
    void devRootKey() throws Exception {
      assertThat(java.util.Base64.getEncoder().encodeToString(ConfigParser.parse(devTree(), "dev").security().kms().masterKey()))
          .isEqualTo(ConfigParser.SHIPPED_MASTER_KEYS.get(0));
      try (var in = ProdRulesTest.class.getClassLoader().getResourceAsStream("conf/config.yaml")) {
        assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .contains("master_key: ${XREDLINE_MASTER_KEY:-" + ConfigParser.SHIPPED_MASTER_KEYS.get(0) + "}");
      }
    }

    @Test
    @DisplayName("accepts a secret of exactly 32 characters and refuses one of 31, showing only its length")
    void secretLengthBoundary() {
      String secret32 = PROD_SECRET.substring(0, 32);
      String secret31 = PROD_SECRET.substring(0, 31);

      assertThat(violations(prodTree("auth.jwt.secret_key", secret32), "prod")).isEmpty();
      assertThat(violations(prodTree("auth.jwt.secret_key", secret31), "prod")).containsExactly(
          "auth.jwt.secret_key: must be at least 32 characters in prod (got \"****\" (31 characters))");
    }

    @Test
    @DisplayName("refuses a short JWT secret without printing it")
    void shortSecret() {
      List<String> lines = violations(prodTree("auth.jwt.secret_key", "hunter2-secret"), "prod");

      assertThat(lines).containsExactly(
          "auth.jwt.secret_key: must be at least 32 characters in prod (got \"****\" (14 characters))");
      assertThat(String.join("\n", lines)).doesNotContain("hunter2");
    }

    @TestFactory
    @DisplayName("refuses each JWT secret shipped in conf/, as is or inside a longer secret, without printing it")
    Stream<DynamicTest> shippedSecrets() {
      return ConfigParser.SHIPPED_JWT_SECRETS.stream().flatMap(shipped -> Stream.of(shipped, "prefix-" + shipped + "-suffix")
          .map(secret -> dynamicTest(secret.length() + "-character secret containing \"" + shipped.substring(0, 12) + "…\"", () -> {
            List<String> lines = violations(prodTree("auth.jwt.secret_key", secret), "prod");

            assertThat(lines).containsExactly(
                "auth.jwt.secret_key: " + SHIPPED_RULE + " (got \"****\" (" + secret.length() + " characters))");
            assertThat(String.join("\n", lines)).doesNotContain(shipped);
          })));
    }

    @Test
    @DisplayName("the shipped secrets are accepted outside prod, so dev and test keep working")
    void shippedSecretsAreFineOutsideProd() {
      for (String shipped : ConfigParser.SHIPPED_JWT_SECRETS) {
        assertThat(violations(devTree("auth.jwt.secret_key", shipped), "dev")).isEmpty();
        assertThat(violations(devTree("auth.jwt.secret_key", shipped, "auth.captcha.fixed_code", "123456"), "test")).isEmpty();
      }
    }

    @Test
    @DisplayName("refuses a fixed captcha code, masked")
    void fixedCaptchaCode() {
      List<String> lines = violations(prodTree("auth.captcha.fixed_code", "424242"), "prod");

      assertThat(lines).containsExactly(
          "auth.captcha.fixed_code: is for dev/test only and refused in prod (got \"****\" (6 characters))");
      assertThat(String.join("\n", lines)).doesNotContain("424242");
    }

    @Test
    @DisplayName("refuses turning the security headers off")
    void securityHeadersOff() {
      assertThat(violations(prodTree("security.headers.enabled", false), "prod")).containsExactly(
          "security.headers.enabled: must be true in prod (CSP, frame and content-type protections) (got false)");
      assertThat(violations(devTree("security.headers.enabled", false), "dev")).isEmpty();
    }

    @Test
    @DisplayName("refuses plain-http CORS origins; https ones pass; dev may use http://localhost")
    void corsHttps() {
      assertThat(violations(prodTree("security.cors.allowed_origins",
          new JsonArray().add("https://app.example.com").add("http://app.example.com")), "prod")).containsExactly(
          "security.cors.allowed_origins: must list only https:// origins in prod (got \"http://app.example.com\")");
      assertThat(violations(prodTree("security.cors.allowed_origins", new JsonArray().add("https://app.example.com")), "prod"))
          .isEmpty();
      assertThat(violations(devTree("security.cors.allowed_origins", new JsonArray().add("http://localhost:5173")), "dev"))
          .isEmpty();
    }

    @Test
    @DisplayName("refuses logging captcha codes")
    void logCodes() {
      assertThat(violations(prodTree("auth.captcha.log_codes", true), "prod"))
          .containsExactly("auth.captcha.log_codes: is for dev only and refused in prod (got true)");
      assertThat(violations(prodTree("auth.captcha.log_codes", false), "prod")).isEmpty();
    }

    @Test
    @DisplayName("refuses the embedded PostgreSQL (no database URL) with a message naming DATABASE_URL")
    void embeddedDatabase() {
      assertThat(violations(prodTree("data.database.url", null), "prod")).containsExactly(
          "data.database.url: is required in prod (the embedded PostgreSQL is for dev/test); set DATABASE_URL");
    }

    @Test
    @DisplayName("refuses the embedded Redis (no Redis URL) with a message naming REDIS_URL")
    void embeddedRedis() {
      assertThat(violations(prodTree("data.redis.url", null), "prod")).containsExactly(
          "data.redis.url: is required in prod (the embedded Redis is for dev/test); set REDIS_URL");
    }

    @Test
    @DisplayName("refuses sslmode=disable (any case) with the password masked")
    void sslmodeDisable() {
      List<String> lines = violations(prodTree("data.database.url",
          "postgresql://app:db-pass-4711@db.internal:5432/app?SSLMODE=Disable"), "prod");

      assertThat(lines).containsExactly("data.database.url: uses sslmode=disable; use TLS or set "
          + "data.database.allow_insecure: true (got \"postgresql://app:****@db.internal:5432/app?SSLMODE=Disable\")");
      assertThat(String.join("\n", lines)).doesNotContain("db-pass-4711");
    }

    @Test
    @DisplayName("accepts sslmode=disable when data.database.allow_insecure is true (boolean or string)")
    void sslmodeDisableAllowed() {
      String url = "postgresql://app:pw@db.internal:5432/app?sslmode=disable";

      assertThat(violations(prodTree("data.database.url", url, "data.database.allow_insecure", true), "prod")).isEmpty();
      assertThat(violations(prodTree("data.database.url", url, "data.database.allow_insecure", "true"), "prod")).isEmpty();
      assertThat(ConfigParser.parse(prodTree("data.database.url", url, "data.database.allow_insecure", "true"), "prod")
          .data().database().allowInsecure()).isTrue();
    }

    @TestFactory
    @DisplayName("refuses a Redis URL without a password, or with an empty one")
    Stream<DynamicTest> redisWithoutPassword() {
      return Stream.of("redis://cache.internal:6379/0", "redis://:@cache.internal:6379/0", "rediss://default:@cache.internal:6380")
          .map(url -> dynamicTest(url, () -> assertThat(violations(prodTree("data.redis.url", url), "prod")).containsExactly(
              "data.redis.url: must carry a password in prod (redis://:PASSWORD@host:6379/0) or set data.redis.password (got \""
                  + Secrets.maskUrl(url) + "\")")));
    }

    @Test
    @DisplayName("sentinel and cluster: every endpoint without its own password is named, unless data.redis.password is set")
    void redisEndpointsWithoutPassword() {
      JsonObject cluster = prodTree("data.redis.url", null, "data.redis.mode", "cluster", "data.redis.endpoints",
          new JsonArray().add("rediss://:pw@node-a.internal:6379").add("rediss://node-b.internal:6379"));
      assertThat(violations(cluster.copy(), "prod")).containsExactly(
          "data.redis.endpoints[1]: must carry a password in prod (redis://:PASSWORD@host:port) or set data.redis.password"
              + " (got \"rediss://node-b.internal:6379\")");
      ConfigTrees.put(cluster, "data.redis.password", "shared-secret");
      assertThat(violations(cluster, "prod")).isEmpty();

      JsonObject sentinel = prodTree("data.redis.url", null, "data.redis.mode", "sentinel", "data.redis.master_name", "mymaster",
          "data.redis.endpoints", "redis://s1.internal:26379,redis://s2.internal:26379");
      assertThat(violations(sentinel.copy(), "prod")).containsExactly(
          "data.redis.endpoints[0]: must carry a password in prod (redis://:PASSWORD@host:port) or set data.redis.password"
              + " (got \"redis://s1.internal:26379\")",
          "data.redis.endpoints[1]: must carry a password in prod (redis://:PASSWORD@host:port) or set data.redis.password"
              + " (got \"redis://s2.internal:26379\")");
    }

    @Test
    @DisplayName("a standalone URL without password passes with data.redis.password")
    void standalonePasswordKey() {
      assertThat(violations(prodTree("data.redis.url", "redis://cache.internal:6379/0", "data.redis.password", "pw"), "prod"))
          .isEmpty();
    }

    @Test
    @DisplayName("accepts a Redis URL with a user and a password")
    void redisWithUserAndPassword() {
      assertThat(violations(prodTree("data.redis.url", "rediss://app:pw@cache.internal:6380/0"), "prod")).isEmpty();
    }

    @Test
    @DisplayName("reports every prod problem at once")
    void allProdProblemsAtOnce() {
      JsonObject tree = prodTree(
          "auth.jwt.secret_key", "short",
          "auth.captcha.fixed_code", "123456",
          "auth.captcha.log_codes", "true",
          "data.database.url", null,
          "data.redis.url", null);

      List<String> lines = violations(tree, "prod");

      assertThat(lines).containsExactlyInAnyOrder(
          "auth.jwt.secret_key: must be at least 32 characters in prod (got \"****\" (5 characters))",
          "auth.captcha.fixed_code: is for dev/test only and refused in prod (got \"****\" (6 characters))",
          "auth.captcha.log_codes: is for dev only and refused in prod (got true)",
          "data.database.url: is required in prod (the embedded PostgreSQL is for dev/test); set DATABASE_URL",
          "data.redis.url: is required in prod (the embedded Redis is for dev/test); set REDIS_URL");
    }

    @Test
    @DisplayName("the prod rules do not apply in dev or test")
    void prodRulesOnlyInProd() {
      JsonObject tree = devTree("auth.jwt.secret_key", "short", "auth.captcha.fixed_code", "123456",
          "auth.captcha.log_codes", true, "data.database.url", "postgresql://u:p@db/x?sslmode=disable",
          "data.redis.url", "redis://cache:6379");

      assertThat(violations(tree.copy(), "dev")).isEmpty();
      assertThat(violations(tree.copy(), "test")).isEmpty();
    }
  }

  @Nested
  @DisplayName("secrets never appear in clear")
  class Masking {
    @Test
    @DisplayName("mask shows only the length; an unset secret says so")
    void maskShowsLengthOnly() {
      assertThat(Secrets.mask("hunter2")).isEqualTo("\"****\" (7 characters)");
      assertThat(Secrets.mask("")).isEqualTo("\"****\" (0 characters)");
      assertThat(Secrets.mask(null)).isEqualTo("(unset)");
    }

    @Test
    @DisplayName("maskUrl hides the password of a connection URL and keeps everything else")
    void maskUrl() {
      assertThat(Secrets.maskUrl("postgresql://app:s3cr3t@db:5432/app?sslmode=require"))
          .isEqualTo("postgresql://app:****@db:5432/app?sslmode=require");
      assertThat(Secrets.maskUrl("redis://:s3cr3t@cache:6379/0")).isEqualTo("redis://:****@cache:6379/0");
      assertThat(Secrets.maskUrl("redis://cache:6379/0")).isEqualTo("redis://cache:6379/0");
      assertThat(Secrets.maskUrl("redis://s3cr3t@cache:6379/0")).as("Redis reads a lone user info as the password")
          .isEqualTo("redis://****@cache:6379/0");
      assertThat(Secrets.maskUrl("postgresql://app@db/app")).isEqualTo("postgresql://app@db/app");
      assertThat(Secrets.maskUrl(null)).isNull();
    }

    @Test
    @DisplayName("maskUrlsIn reads URLs inside a text the way maskUrl does")
    void maskUrlsInText() {
      assertThat(Secrets.maskUrlsIn("connect to redis://:s3cr3t@cache:6379/0 failed, then rediss://app:pw@c2:6380"))
          .isEqualTo("connect to redis://:****@cache:6379/0 failed, then rediss://app:****@c2:6380");
      assertThat(Secrets.maskUrlsIn("(redis://s3cr3t@cache:6379) and postgresql://app@db/app"))
          .isEqualTo("(redis://****@cache:6379) and postgresql://app@db/app");
      assertThat(Secrets.maskUrlsIn(null)).isNull();
    }

    @Test
    @DisplayName("a JWT secret given as a list or mapping is refused without echoing it")
    void structuredSecretIsNotEchoed() {
      String secret = "structured-secret-value-0042";
      for (Object wrong : List.of(new JsonArray().add(secret), new JsonObject().put("value", secret))) {
        List<String> lines = violations(devTree("auth.jwt.secret_key", wrong), "dev");

        assertThat(lines).as("lines for %s", wrong.getClass().getSimpleName())
            .isNotEmpty()
            .allSatisfy(line -> assertThat(line).startsWith("auth.jwt.secret_key: ").doesNotContain(secret));
      }
    }

    @Test
    @DisplayName("a URL whose password contains a raw @ does not leak part of the password")
    void rawAtInPasswordIsMasked() {
      List<String> lines = violations(devTree("data.database.url", "postgresql://app:p@ssw0rd@db:5432/app"), "dev");

      assertThat(lines).singleElement().asString().startsWith("data.database.url: ").doesNotContain("ssw0rd");
    }

    @Test
    @DisplayName("no prod violation line contains the secret, captcha code or any URL password")
    void nothingLeaksInProd() {
      String secret = "leaky-but-short";
      JsonObject tree = prodTree(
          "auth.jwt.secret_key", secret,
          "auth.captcha.fixed_code", "Zx9Qw7",
          "data.database.url", "postgresql://app:pg-leak-1@db:5432/app?sslmode=disable",
          "data.redis.url", "mysql://:redis-leak-2@cache:6379");

      String message = String.join("\n", violations(tree, "prod"));

      assertThat(message)
          .contains("\"****\" (15 characters)", "\"****\" (6 characters)", "app:****@db", ":****@cache")
          .doesNotContain(secret, "Zx9Qw7", "pg-leak-1", "redis-leak-2");
    }
  }
}
