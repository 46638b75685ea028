package io.xredline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.xredline.config.ConfigTrees.devTree;
import static io.xredline.config.ConfigTrees.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

@DisplayName("ConfigParser: typed records and every validation message")
class ConfigParserTest {
  private static final String DURATION_HINT = "not a duration (use 250ms, 30s, 15m, 24h, 7d or PT15M)";
  private static final String ORIGIN_RULE = "must list exact origins like https://app.example.com (no wildcard, no path)";

  /** One bad key (or a small related group) and the exact lines an operator must read. */
  private record Case(String name, JsonObject tree, List<String> lines) {
    static Case of(String name, String path, Object value, String... lines) {
      return new Case(name, devTree(path, value), List.of(lines));
    }
  }

  @Nested
  @DisplayName("typed values")
  class TypedValues {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("an empty tree with only a JWT secret yields the documented defaults")
    void defaults() {
      AppConfig c = ConfigParser.parse(devTree(), "dev");

      assertThat(c.env()).isEqualTo("dev");
      assertThat(c.isProd()).isFalse();
      assertThat(c.server().http().host()).isEqualTo("0.0.0.0");
      assertThat(c.server().http().port()).isEqualTo(8000);
      assertThat(c.server().http().timeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(c.server().http().maxBodySize()).isEqualTo(1024 * 1024);
      assertThat(c.server().grpc().port()).isEqualTo(9000);
      assertThat(c.server().shutdownDelay()).isZero();
      assertThat(c.server().shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(c.data().database().embedded()).isTrue();
      assertThat(c.data().database().poolSize()).isEqualTo(16);
      assertThat(c.data().database().slowQueryThreshold()).isEqualTo(Duration.ofMillis(200));
      assertThat(c.data().database().embeddedDataDir())
          .isEqualTo(Path.of(System.getProperty("user.home"), ".xredline", "pgdata"));
      assertThat(c.data().redis().embedded()).isTrue();
      assertThat(c.data().redis().keyPrefix()).isEqualTo("xredline:");
      assertThat(c.auth().jwt().issuer()).isEqualTo("xredline");
      assertThat(c.auth().jwt().audience()).isEqualTo("xredline");
      assertThat(c.auth().jwt().accessTokenExpiration()).isEqualTo(Duration.ofMinutes(15));
      assertThat(c.auth().jwt().refreshTokenExpiration()).isEqualTo(Duration.ofDays(7));
      assertThat(c.auth().jwt().leeway()).isEqualTo(Duration.ofSeconds(30));
      assertThat(c.auth().captcha().enabled()).isTrue();
      assertThat(c.auth().captcha().expiration()).isEqualTo(Duration.ofMinutes(5));
      assertThat(c.auth().captcha().fixedCode()).isNull();
      assertThat(c.auth().captcha().logCodes()).isFalse();
      assertThat(c.auth().maxLoginAttempts()).isEqualTo(5);
      assertThat(c.auth().lockWindow()).isEqualTo(Duration.ofMinutes(15));
      assertThat(c.auth().lockDuration()).isEqualTo(Duration.ofMinutes(30));
      assertThat(c.auth().totpEnabled()).isTrue();
      assertThat(c.log()).isEqualTo(new AppConfig.Log("info", "auto", "auto"));
      assertThat(c.security().cors().allowedOrigins()).isEmpty();
      assertThat(c.security().tls().enabled()).isFalse();
      assertThat(c.monitoring().metrics()).isEqualTo(new AppConfig.Metrics(true, "/metrics"));
      assertThat(c.monitoring().health().cacheTtl()).isEqualTo(Duration.ofSeconds(1));
      assertThat(c.monitoring().health().memoryThreshold()).isEqualTo(0.9);
      assertThat(c.monitoring().tracing()).isEqualTo(new AppConfig.Tracing(false, null, 0.1));
      assertThat(c.monitoring().docsEnabled()).isTrue();
      assertThat(c.cluster()).isEqualTo(new AppConfig.Cluster(false, "xredline", "127.0.0.1", null, 5701, 0, List.of(), null, 1,
          java.util.Set.copyOf(AppConfig.Cluster.ROLES), null, new AppConfig.ClusterTls(false, null, null, null)));
    }

    @Test
    @DisplayName("instances: 0 resolves to one instance per available processor, for HTTP and gRPC")
    void zeroInstancesMeansOnePerCore() {
      AppConfig c = ConfigParser.parse(devTree("server.http.instances", 0, "server.grpc.instances", "0"), "dev");

      int cores = Runtime.getRuntime().availableProcessors();
      assertThat(c.server().http().instances()).isEqualTo(cores);
      assertThat(c.server().grpc().instances()).isEqualTo(cores);
    }

    @Test
    @DisplayName("event_loops: 0 (the default) is one event loop per core; a count is kept as given")
    void eventLoops() {
      int cores = Runtime.getRuntime().availableProcessors();
      assertThat(ConfigParser.parse(devTree(), "dev").server().eventLoops()).isEqualTo(cores);
      assertThat(ConfigParser.parse(devTree("server.event_loops", 0), "dev").server().eventLoops()).isEqualTo(cores);
      assertThat(ConfigParser.parse(devTree("server.event_loops", "3"), "dev").server().eventLoops()).isEqualTo(3);
    }

    @Test
    @DisplayName("explicit instance counts are kept as given")
    void explicitInstances() {
      AppConfig c = ConfigParser.parse(devTree("server.http.instances", 3, "server.grpc.instances", "1024"), "dev");

      assertThat(c.server().http().instances()).isEqualTo(3);
      assertThat(c.server().grpc().instances()).isEqualTo(1024);
    }

    @Test
    @DisplayName("durations, sizes, booleans and numbers written as strings (as env overrides arrive) become typed values")
    void stringsBecomeTypedValues() {
      AppConfig c = ConfigParser.parse(devTree(
          "server.http.port", "8080",
          "server.http.timeout", "250ms",
          "server.http.max_body_size", "512KB",
          "server.shutdown_timeout", "PT15M",
          "data.database.idle_timeout", "24h",
          "auth.jwt.refresh_token_expiration", "30d",
          "auth.captcha.enabled", "off",
          "auth.captcha.log_codes", "yes",
          "auth.totp_enabled", "0",
          "security.rate_limit.enabled", "TRUE",
          "monitoring.health.memory_threshold", "0.75",
          "log.level", "WARN",
          "log.format", "Text"), "dev");

      assertThat(c.server().http().port()).isEqualTo(8080);
      assertThat(c.server().http().timeout()).isEqualTo(Duration.ofMillis(250));
      assertThat(c.server().http().maxBodySize()).isEqualTo(512L * 1024);
      assertThat(c.server().shutdownTimeout()).isEqualTo(Duration.ofMinutes(15));
      assertThat(c.data().database().idleTimeout()).isEqualTo(Duration.ofHours(24));
      assertThat(c.auth().jwt().refreshTokenExpiration()).isEqualTo(Duration.ofDays(30));
      assertThat(c.auth().captcha().enabled()).isFalse();
      assertThat(c.auth().captcha().logCodes()).isTrue();
      assertThat(c.auth().totpEnabled()).isFalse();
      assertThat(c.security().rateLimit().enabled()).isTrue();
      assertThat(c.monitoring().health().memoryThreshold()).isEqualTo(0.75);
      assertThat(c.log()).isEqualTo(new AppConfig.Log("warn", "text", "auto"));
    }

    @Test
    @DisplayName("security.rate_limit, trusted_proxies and auth.lockout: CONTRACT §9's shipped values, and overrides typed")
    void abuseLimits() {
      AppConfig shipped = ConfigParser.parse(devTree(), "dev");
      AppConfig.RateLimit rl = shipped.security().rateLimit();
      assertThat(rl.enabled()).isTrue();
      assertThat(rl.denyOnRedisError()).isFalse();
      assertThat(rl.defaultRate()).isEqualTo(new AppConfig.Rate(100, 200));
      assertThat(rl.policies()).containsOnlyKeys(AppConfig.RateLimit.POLICIES.keySet());
      assertThat(rl.policy("login_ip")).isEqualTo(new AppConfig.Policy("ip", 20, Duration.ofMinutes(1)));
      assertThat(rl.policy("login_account")).isEqualTo(new AppConfig.Policy("account", 10, Duration.ofMinutes(1)));
      assertThat(rl.policy("register_ip")).isEqualTo(new AppConfig.Policy("ip", 5, Duration.ofMinutes(1)));
      assertThat(rl.policy("captcha_ip")).isEqualTo(new AppConfig.Policy("ip", 30, Duration.ofMinutes(1)));
      assertThat(rl.policy("code_target")).isEqualTo(new AppConfig.Policy("target", 1, Duration.ofSeconds(60)));
      assertThat(rl.policy("code_target_day")).isEqualTo(new AppConfig.Policy("target", 10, Duration.ofDays(1)));
      assertThat(rl.policy("password_reset")).isEqualTo(new AppConfig.Policy("target", 3, Duration.ofHours(1)));
      assertThat(shipped.security().trustedProxies()).isEmpty();
      assertThat(shipped.security().forwardedHeader()).isEqualTo("x-forwarded-for");
      assertThat(shipped.auth().lockout()).isEqualTo(new AppConfig.Lockout(100, Duration.ofHours(24)));

      AppConfig c = ConfigParser.parse(devTree("security.rate_limit.on_redis_error", "DENY",
          "security.rate_limit.policies.login_ip.per", "5m", "security.rate_limit.default.requests_per_second", "7",
          "security.trusted_proxies", "10.0.0.0/8, ::1", "security.forwarded_header", "Forwarded",
          "auth.lockout.account_max", "50", "auth.lockout.account_window", "12h"), "dev");
      assertThat(c.security().rateLimit().denyOnRedisError()).isTrue();
      assertThat(c.security().rateLimit().policy("login_ip")).isEqualTo(new AppConfig.Policy("ip", 20, Duration.ofMinutes(5)));
      assertThat(c.security().rateLimit().defaultRate().requestsPerSecond()).isEqualTo(7);
      assertThat(c.security().trustedProxies()).containsExactly("10.0.0.0/8", "::1");
      assertThat(c.security().forwardedHeader()).isEqualTo("forwarded");
      assertThat(c.auth().lockout()).isEqualTo(new AppConfig.Lockout(50, Duration.ofHours(12)));
    }

    @Test
    @DisplayName("lists come from YAML arrays or from one comma-separated string; maps keep their order")
    void listsAndMaps() {
      AppConfig c = ConfigParser.parse(devTree(
          "security.cors.allowed_origins", "https://app.example.com, http://localhost:3000",
          "security.cors.allowed_methods", new JsonArray().add("GET").add("POST"),
          "security.headers.values", new JsonObject().put("X-Frame-Options", "DENY").put("X-XSS-Protection", 0),
          "monitoring.health.http_dependencies", new JsonObject().put("billing", "https://billing.internal/health"),
          "cluster.members", new JsonArray().add("10.0.0.1:5701").add("10.0.0.2:5701")), "dev");

      assertThat(c.security().cors().allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
      assertThat(c.security().cors().allowedMethods()).containsExactly("GET", "POST");
      assertThat(c.security().headers().values()).containsExactly(
          Map.entry("X-Frame-Options", "DENY"), Map.entry("X-XSS-Protection", "0"));
      assertThat(c.monitoring().health().httpDependencies())
          .containsExactly(Map.entry("billing", "https://billing.internal/health"));
      assertThat(c.cluster().members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    }

    @Test
    @DisplayName("cluster: roles from a comma-separated string; the nested service_dns wins over the deprecated flat alias, which warns")
    void clusterRolesAndServiceDns() {
      AppConfig c = ConfigParser.parse(devTree("cluster.enabled", true, "cluster.roles", "HTTP, grpc",
          "cluster.kubernetes", new JsonObject().put("service_dns", "xredline-blue-hz.apps.svc.cluster.local")), "dev");
      assertThat(c.cluster().roles()).containsExactly("http", "grpc");
      assertThat(c.cluster().needsFromCluster()).containsExactly("auth", "greeter", "audit");
      assertThat(c.cluster().kubernetesServiceDns()).isEqualTo("xredline-blue-hz.apps.svc.cluster.local");

      JsonObject flat = devTree("cluster.enabled", true, "cluster.kubernetes_service_dns", "old-hz.apps.svc.cluster.local");
      ConfigParser.Checked checked = ConfigParser.check(new EffectiveConfig("dev", flat, Map.of()));
      assertThat(checked.config().cluster().kubernetesServiceDns()).isEqualTo("old-hz.apps.svc.cluster.local");
      assertThat(checked.warnings()).extracting(Violation::toString).anySatisfy(w -> assertThat(w)
          .startsWith("cluster.kubernetes_service_dns: is deprecated; use cluster.kubernetes.service_dns"));
      assertThat(ConfigParser.parse(devTree(), "dev").cluster().needsFromCluster()).as("all roles: needs nothing").isEmpty();
    }

    @Test
    @DisplayName("connection URLs, the captcha code and a home-relative data dir are carried as configured")
    void urlsAndPaths() {
      AppConfig c = ConfigParser.parse(devTree(
          "data.database.url", "postgres://app:pw@db:5432/app",
          "data.redis.url", "rediss://:pw@cache:6380/1",
          "data.database.embedded.data_dir", "~/pg",
          "auth.captcha.fixed_code", 123456), "dev");

      assertThat(c.data().database().url()).isEqualTo("postgres://app:pw@db:5432/app");
      assertThat(c.data().database().embedded()).isFalse();
      assertThat(c.data().redis().url()).isEqualTo("rediss://:pw@cache:6380/1");
      assertThat(c.data().redis().embedded()).isFalse();
      assertThat(c.data().database().embeddedDataDir()).isEqualTo(Path.of(System.getProperty("user.home"), "pg"));
      assertThat(c.auth().captcha().fixedCode()).isEqualTo("123456");
    }

    @Test
    @DisplayName("TLS enabled with readable cert and key files carries both paths")
    void tlsWithReadableFiles() throws Exception {
      Path cert = Files.writeString(tmp.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
      Path key = Files.writeString(tmp.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n");

      AppConfig c = ConfigParser.parse(devTree("security.tls.enabled", true,
          "security.tls.cert_file", cert.toString(), "security.tls.key_file", key.toString()), "dev");

      assertThat(c.security().tls()).isEqualTo(new AppConfig.Tls(true, cert, key));
    }

    @Test
    @DisplayName("security.headers.values: a Strict-Transport-Security of its own is refused when TLS sends one from hsts_max_age")
    void hstsGivenTwice() throws Exception {
      Path cert = Files.writeString(tmp.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
      Path key = Files.writeString(tmp.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n");
      JsonObject values = new JsonObject().put("strict-transport-security", "max-age=60");

      assertThat(violations(devTree("security.headers.values", values), "dev")).isEmpty();
      assertThat(violations(devTree("security.headers.values", values, "security.tls.enabled", true,
          "security.tls.cert_file", cert.toString(), "security.tls.key_file", key.toString()), "dev"))
          .containsExactly("security.headers.values.strict-transport-security: is sent from"
              + " security.headers.hsts_max_age when TLS is on; set that instead");
    }

    @Test
    @DisplayName("the frontend comes from the jar unless server.http.frontend_dir names a build directory")
    void frontendDir() throws Exception {
      assertThat(ConfigParser.parse(devTree(), "dev").server().http().frontendDir()).isNull();
      Files.writeString(tmp.resolve("index.html"), "<!doctype html>");

      AppConfig c = ConfigParser.parse(devTree("server.http.frontend_dir", tmp.toString()), "dev");

      assertThat(c.server().http().frontendDir()).isEqualTo(tmp);
    }

    @Test
    @DisplayName("features are passed through as written; each plugin block reaches the plugin untouched")
    void rawSections() {
      JsonObject features = new JsonObject().put("beta", true).put("rollout", new JsonObject().put("percent", 10));
      JsonObject block = new JsonObject().put("domains", new io.vertx.core.json.JsonArray().add("example.com"));
      AppConfig c = ConfigParser.parse(devTree("features", features, "plugins", new JsonObject().put("p", block)), "dev");

      assertThat(c.features()).isEqualTo(features);
      assertThat(c.plugins().settings("p")).isEqualTo(block);
      assertThat(c.plugins().timeout()).isEqualTo(java.time.Duration.ofMillis(500));
      assertThat(c.plugins().maxFailures()).isEqualTo(5);
    }

    @Test
    @DisplayName("a feature flag of the wrong shape is refused with its key named")
    void badFlags() {
      JsonObject features = new JsonObject().put("a", new JsonObject().put("percent", 150))
          .put("b", "maybe").put("c", new JsonObject().put("pct", 10));
      assertThatThrownBy(() -> ConfigParser.parse(devTree("features", features), "dev"))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining("features.a.percent").hasMessageContaining("features.b")
          .hasMessageContaining("features.c.pct");
    }
  }

  @Nested
  @DisplayName("validation messages, printed as `path: problem (got value)`")
  class Messages {
    @TempDir
    Path tmp;

    @TestFactory
    @DisplayName("each bad key yields exactly its line")
    Stream<DynamicTest> eachBadKeyYieldsItsLine() {
      String missingCert = tmp.resolve("missing-cert.pem").toString();
      return Stream.of(
          Case.of("non-numeric port", "server.http.port", "http",
              "server.http.port: must be a whole number (got \"http\")"),
          Case.of("fractional port", "server.http.port", 8080.5,
              "server.http.port: must be a whole number (got 8080.5)"),
          Case.of("port above 65535", "server.http.port", 65536,
              "server.http.port: must be between 0 and 65535 (got 65536)"),
          Case.of("negative gRPC port", "server.grpc.port", -1,
              "server.grpc.port: must be between 0 and 65535 (got -1)"),
          Case.of("too many HTTP instances", "server.http.instances", 1025,
              "server.http.instances: must be between 0 and 1024 (got 1025)"),
          Case.of("negative gRPC instances", "server.grpc.instances", -1,
              "server.grpc.instances: must be between 0 and 1024 (got -1)"),
          Case.of("negative event loops", "server.event_loops", -1,
              "server.event_loops: must be between 0 and 1024 (got -1)"),
          Case.of("unknown duration unit", "server.http.timeout", "10x",
              "server.http.timeout: " + DURATION_HINT + " (got \"10x\")"),
          Case.of("duration without unit", "server.http.timeout", 30,
              "server.http.timeout: " + DURATION_HINT + " (got 30)"),
          Case.of("bad ISO-8601 duration", "server.http.timeout", "PT15X",
              "server.http.timeout: not an ISO-8601 duration (got \"PT15X\")"),
          Case.of("duration above its maximum", "server.http.timeout", "2h",
              "server.http.timeout: must be between 1ms and 1h (got \"2h\")"),
          Case.of("negative ISO-8601 duration", "server.shutdown_timeout", "PT-5S",
              "server.shutdown_timeout: must be between 0ms and 1h (got \"PT-5S\")"),
          Case.of("shutdown delay above its maximum", "server.shutdown_delay", "10m",
              "server.shutdown_delay: must be between 0ms and 5m (got \"10m\")"),
          Case.of("token lifetime below its minimum", "auth.jwt.access_token_expiration", "5s",
              "auth.jwt.access_token_expiration: must be between 10s and 1d (got \"5s\")"),
          Case.of("unknown size unit", "server.http.max_body_size", "10XB",
              "server.http.max_body_size: not a size (use 512KB, 10MB or a byte count) (got \"10XB\")"),
          Case.of("size above its maximum", "server.http.max_body_size", "2GB",
              "server.http.max_body_size: must be between 1 and 1073741824 bytes (got \"2GB\")"),
          Case.of("zero size", "server.http.max_body_size", 0,
              "server.http.max_body_size: must be between 1 and 1073741824 bytes (got 0)"),
          Case.of("bad boolean", "security.tls.enabled", "maybe",
              "security.tls.enabled: must be true or false (got \"maybe\")"),
          Case.of("unknown log level", "log.level", "verbose",
              "log.level: must be one of debug, error, info, trace, warn (got \"verbose\")"),
          Case.of("unknown log format", "log.format", "xml",
              "log.format: must be one of auto, json, text (got \"xml\")"),
          Case.of("unknown log colour mode", "log.color", "rainbow",
              "log.color: must be one of always, auto, never (got \"rainbow\")"),
          Case.of("top-level section that is not a mapping", "server", "8000",
              "server: must be a mapping (got \"8000\")"),
          Case.of("nested section that is not a mapping", "server.http", 8000,
              "server.http: must be a mapping (got 8000)"),
          Case.of("section given as a list", "security.cors", new JsonArray().add("x"),
              "security.cors: must be a mapping (got [\"x\"])"),
          Case.of("mapping where a single value belongs", "server.http.host", new JsonObject().put("a", 1),
              "server.http.host: must be a single value (got {\"a\":1})"),
          Case.of("missing JWT secret", "auth.jwt.secret_key", null,
              "auth.jwt.secret_key: is required"),
          Case.of("blank JWT secret", "auth.jwt.secret_key", "   ",
              "auth.jwt.secret_key: is required"),
          Case.of("captcha code of 5 digits", "auth.captcha.fixed_code", "12345",
              "auth.captcha.fixed_code: must be 6 letters or digits (got \"****\" (5 characters))"),
          Case.of("captcha code with punctuation", "auth.captcha.fixed_code", "ab-123",
              "auth.captcha.fixed_code: must be 6 letters or digits (got \"****\" (6 characters))"),
          Case.of("security header value with a line break", "security.headers.values",
              new JsonObject().put("X-Test", "a\r\nSet-Cookie: x=1"),
              "security.headers.values.X-Test: must be printable ASCII on one line (a CR or LF would split every"
                  + " response) (got \"a\\r\\nSet-Cookie: x=1\")"),
          Case.of("security header value with a non-ASCII character", "security.headers.values",
              new JsonObject().put("X-Test", "caf\u00e9"),
              "security.headers.values.X-Test: must be printable ASCII on one line (a CR or LF would split every"
                  + " response) (got \"caf\\u00e9\")"),
          Case.of("security header name that is no token", "security.headers.values",
              new JsonObject().put("X Test:", "1"),
              "security.headers.values: header names are HTTP tokens (letters, digits and !#$%&'*+.^_`|~-)"
                  + " (got \"X Test:\")"),
          Case.of("security header given twice in different case", "security.headers.values",
              new JsonObject().put("X-Frame-Options", "DENY").put("x-frame-options", "SAMEORIGIN"),
              "security.headers.values.x-frame-options: names a header already given (header names are case-insensitive)"),
          Case.of("wildcard CORS origin", "security.cors.allowed_origins", new JsonArray().add("*"),
              "security.cors.allowed_origins: " + ORIGIN_RULE + " (got \"*\")"),
          Case.of("wildcard CORS subdomain", "security.cors.allowed_origins", new JsonArray().add("https://*.example.com"),
              "security.cors.allowed_origins: " + ORIGIN_RULE + " (got \"https://*.example.com\")"),
          Case.of("CORS origin with a path", "security.cors.allowed_origins",
              new JsonArray().add("https://app.example.com").add("https://app.example.com/app"),
              "security.cors.allowed_origins: " + ORIGIN_RULE + " (got \"https://app.example.com/app\")"),
          Case.of("CORS origins as a mapping", "security.cors.allowed_origins", new JsonObject().put("a", 1),
              "security.cors.allowed_origins: must be a list (got {\"a\":1})"),
          new Case("TLS enabled without cert and key", devTree("security.tls.enabled", true), List.of(
              "security.tls.cert_file: is required when TLS is enabled",
              "security.tls.key_file: is required when TLS is enabled")),
          new Case("TLS enabled with unreadable files", devTree("security.tls.enabled", "true",
              "security.tls.cert_file", missingCert, "security.tls.key_file", missingCert), List.of(
              "security.tls.cert_file: must name a readable PEM file (got \"" + missingCert + "\")",
              "security.tls.key_file: must name a readable PEM file (got \"" + missingCert + "\")")),
          Case.of("frontend directory without an index.html", "server.http.frontend_dir", tmp.toString(),
              "server.http.frontend_dir: must be a directory containing index.html (the frontend build, frontend/dist)"
                  + " (got \"" + tmp + "\")"),
          Case.of("trusted proxy that is a host name", "security.trusted_proxies", new JsonArray().add("10.0.0.0/8").add("proxy.internal"),
              "security.trusted_proxies: must list IPv4 or IPv6 addresses or CIDRs like 10.0.0.0/8 or fd00::/8 (got \"proxy.internal\")"),
          Case.of("trusted proxy with a bad prefix", "security.trusted_proxies", new JsonArray().add("fd00::/200"),
              "security.trusted_proxies: must list IPv4 or IPv6 addresses or CIDRs like 10.0.0.0/8 or fd00::/8 (got \"fd00::/200\")"),
          Case.of("unknown forwarding header", "security.forwarded_header", "x-real-ip",
              "security.forwarded_header: must be one of forwarded, x-forwarded-for (got \"x-real-ip\")"),
          Case.of("unknown on_redis_error", "security.rate_limit.on_redis_error", "ignore",
              "security.rate_limit.on_redis_error: must be one of allow, deny (got \"ignore\")"),
          Case.of("rate-limit policy counted per the wrong key", "security.rate_limit.policies.login_ip.key", "account",
              "security.rate_limit.policies.login_ip.key: must be ip for login_ip (got \"account\")"),
          Case.of("rate-limit policy with limit 0", "security.rate_limit.policies.register_ip.limit", 0,
              "security.rate_limit.policies.register_ip.limit: must be between 1 and 1000000 (got 0)"),
          Case.of("rate-limit window below a second", "security.rate_limit.policies.code_target.per", "500ms",
              "security.rate_limit.policies.code_target.per: must be between 1s and 30d (got \"500ms\")"),
          Case.of("default burst of 0", "security.rate_limit.default.burst", 0,
              "security.rate_limit.default.burst: must be between 1 and 1000000 (got 0)"),
          Case.of("account-wide cap of 0", "auth.lockout.account_max", 0,
              "auth.lockout.account_max: must be between 1 and 1000000 (got 0)"),
          Case.of("relative metrics path", "monitoring.metrics.path", "metrics",
              "monitoring.metrics.path: must be an absolute path like /metrics (got \"metrics\")"),
          Case.of("metrics path with a query", "monitoring.metrics.path", "/metrics?x=1",
              "monitoring.metrics.path: must be an absolute path like /metrics (got \"/metrics?x=1\")"),
          Case.of("health dependency that is not an http(s) URL", "monitoring.health.http_dependencies",
              new JsonObject().put("ok", "http://ok.internal/health").put("billing", "ftp://billing"),
              "monitoring.health.http_dependencies.billing: must be an http(s) URL (got \"ftp://billing\")"),
          Case.of("health dependencies as a string", "monitoring.health.http_dependencies", "x",
              "monitoring.health.http_dependencies: must be a mapping (got \"x\")"),
          Case.of("header values as a string", "security.headers.values", "x",
              "security.headers.values: must be a mapping (got \"x\")"),
          Case.of("tracing enabled without an endpoint", "monitoring.tracing.enabled", true,
              "monitoring.tracing.endpoint: is required when tracing is enabled"),
          Case.of("memory threshold above 1", "monitoring.health.memory_threshold", 1.5,
              "monitoring.health.memory_threshold: must be between 0.1 and 1.0 (got 1.5)"),
          Case.of("memory threshold below 0.1", "monitoring.health.memory_threshold", 0.05,
              "monitoring.health.memory_threshold: must be between 0.1 and 1.0 (got 0.05)"),
          Case.of("memory threshold that is not a number", "monitoring.health.memory_threshold", "high",
              "monitoring.health.memory_threshold: must be a number (got \"high\")"),
          Case.of("sample ratio above 1", "monitoring.tracing.sample_ratio", 2,
              "monitoring.tracing.sample_ratio: must be between 0.0 and 1.0 (got 2)"),
          Case.of("database URL with a foreign scheme (password masked)", "data.database.url",
              "mysql://app:hunter2@db:3306/app",
              "data.database.url: must be a URL with scheme postgres or postgresql and a host (got \"mysql://app:****@db:3306/app\")"),
          Case.of("database URL without a host", "data.database.url", "postgresql:///app",
              "data.database.url: must be a URL with scheme postgres or postgresql and a host (got \"postgresql:///app\")"),
          Case.of("database URL that does not parse (password masked)", "data.database.url",
              "postgresql://app:hunter2@db/app name",
              "data.database.url: is not a valid URL (got \"postgresql://app:****@db/app name\")"),
          Case.of("Redis URL with a foreign scheme", "data.redis.url", "http://:hunter2@cache:6379",
              "data.redis.url: must be a URL with scheme redis or rediss and a host (got \"http://:****@cache:6379\")"),
          Case.of("pool size of zero", "data.database.pool_size", 0,
              "data.database.pool_size: must be between 1 and 1000 (got 0)"),
          Case.of("login attempts above 100", "auth.max_login_attempts", 101,
              "auth.max_login_attempts: must be between 1 and 100 (got 101)"),
          Case.of("cluster port 0", "cluster.port", 0,
              "cluster.port: must be between 1 and 65535 (got 0)"),
          Case.of("cluster members as a mapping", "cluster.members", new JsonObject(),
              "cluster.members: must be a list (got {})"),
          Case.of("cluster member given as a port range", "cluster.members", new JsonArray().add("10.0.0.1:5701-5703"),
              "cluster.members: must list host or host:port entries, one member each (no port ranges) (got \"10.0.0.1:5701-5703\")"),
          Case.of("clustering enabled without members", "cluster.enabled", true,
              "cluster.members: must name at least one member (host:port) when clustering is enabled"
                  + " (or set cluster.kubernetes.service_dns)"),
          Case.of("an unknown node role", "cluster.roles", "http,billing",
              "cluster.roles: must list roles out of http, grpc, auth, greeter, audit, health (got \"billing\")",
              "cluster.roles: a node with only some roles needs cluster.enabled: true (the other roles run elsewhere) (got \"http,billing\")"),
          Case.of("some roles without clustering", "cluster.roles", "http,grpc",
              "cluster.roles: a node with only some roles needs cluster.enabled: true (the other roles run elsewhere) (got \"http,grpc\")"),
          Case.of("a short cluster secret", "cluster.secret", "short",
              "cluster.secret: must be at least 16 characters (got \"****\" (5 characters))"),
          Case.of("cluster TLS without files", "cluster.tls.enabled", true,
              "cluster.tls.cert_file: is required when TLS is enabled", "cluster.tls.key_file: is required when TLS is enabled",
              "cluster.tls.ca_file: is required when TLS is enabled"),
          Case.of("cluster min_members 0", "cluster.min_members", 0,
              "cluster.min_members: must be between 1 and 1000 (got 0)"))
          .map(c -> dynamicTest(c.name(), () -> assertThat(violations(c.tree(), "dev")).containsExactlyElementsOf(c.lines())));
    }

    @TestFactory
    @DisplayName("the environment must be dev, test or prod")
    Stream<DynamicTest> environmentMustBeKnown() {
      return Stream.of("staging", "PROD", "")
          .map(env -> dynamicTest("\"" + env + "\" is refused", () -> assertThat(violations(devTree(), env))
              .containsExactly("env: must be one of dev, test, prod (got \"" + env + "\")")));
    }

    @Test
    @DisplayName("every environment name in ENVIRONMENTS is accepted")
    void knownEnvironmentsAreAccepted() {
      assertThat(ConfigParser.ENVIRONMENTS).containsExactlyInAnyOrder("dev", "test", "prod");
      assertThat(violations(devTree(), "dev")).isEmpty();
      assertThat(violations(devTree(), "test")).isEmpty();
    }

    @Test
    @DisplayName("several problems are all collected in one pass, and the message prints one line each")
    void collectsEveryViolation() {
      JsonObject tree = devTree(
          "auth.jwt.secret_key", null,
          "server.http.port", "http",
          "server.http.max_body_size", "huge",
          "log.level", "verbose",
          "security.tls.enabled", true,
          "monitoring.metrics.path", "metrics");

      InvalidConfigException e = catchInvalid(tree, "staging");

      List<String> expected = List.of(
          "env: must be one of dev, test, prod (got \"staging\")",
          "server.http.port: must be a whole number (got \"http\")",
          "server.http.max_body_size: not a size (use 512KB, 10MB or a byte count) (got \"huge\")",
          "auth.jwt.secret_key: is required",
          "log.level: must be one of debug, error, info, trace, warn (got \"verbose\")",
          "security.tls.cert_file: is required when TLS is enabled",
          "security.tls.key_file: is required when TLS is enabled",
          "monitoring.metrics.path: must be an absolute path like /metrics (got \"metrics\")");
      assertThat(e.violations()).hasSize(8);
      assertThat(e.violations()).extracting(Violation::toString).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(e.getMessage().lines()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @DisplayName("a violation without a shown value prints no `(got …)` part")
    void violationFormat() {
      assertThat(new Violation("a.b", "is required", null)).hasToString("a.b: is required");
      assertThat(new Violation("a.b", "must be x", "\"y\"")).hasToString("a.b: must be x (got \"y\")");
    }

    @Test
    @DisplayName("valid edge values are accepted: port 0 (any free port), 65535, 1 byte, 1ms, thresholds 0.1 and 1.0")
    void edgeValuesAreAccepted() {
      AppConfig c = ConfigParser.parse(devTree(
          "server.http.port", 0,
          "server.grpc.port", 65535,
          "server.http.max_body_size", "1",
          "server.http.timeout", "1ms",
          "monitoring.health.memory_threshold", 0.1,
          "monitoring.tracing.sample_ratio", 1.0,
          "monitoring.tracing.enabled", true,
          "monitoring.tracing.endpoint", "http://otel:4317",
          "security.cors.allowed_origins", new JsonArray().add("http://localhost:3000").add("https://app.example.com")), "dev");

      assertThat(c.server().http().port()).isZero();
      assertThat(c.server().grpc().port()).isEqualTo(65535);
      assertThat(c.server().http().maxBodySize()).isEqualTo(1);
      assertThat(c.server().http().timeout()).isEqualTo(Duration.ofMillis(1));
      assertThat(c.monitoring().health().memoryThreshold()).isEqualTo(0.1);
      assertThat(c.monitoring().tracing()).isEqualTo(new AppConfig.Tracing(true, "http://otel:4317", 1.0));
    }
  }

  static InvalidConfigException catchInvalid(JsonObject tree, String env) {
    Throwable thrown = catchThrowable(() -> ConfigParser.parse(tree, env));
    assertThat(thrown).isInstanceOf(InvalidConfigException.class);
    return (InvalidConfigException) thrown;
  }

  @Test
  @DisplayName("a duration too long to represent is a violation of its key, not a raw exception")
  void durationOverflowIsAViolation() {
    assertThatThrownBy(() -> ConfigParser.parse(devTree("server.http.timeout", "999999999999999d"), "dev"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("server.http.timeout: ");
  }

  @Test
  @DisplayName("REST and gRPC on one port of one host is refused: the listener would hand REST requests to gRPC")
  void httpAndGrpcOnOnePort() {
    assertThat(violations(devTree("server.http.port", 8443, "server.grpc.port", 8443), "dev"))
        .singleElement().asString().startsWith("server.grpc.port: must differ from server.http.port");
    assertThat(violations(devTree("server.http.port", 8443, "server.grpc.port", 8443,
        "server.http.host", "127.0.0.1", "server.grpc.host", "0.0.0.0"), "dev")).hasSize(1);
    // two addresses of their own may share a port number, and port 0 gives each a port of its own
    assertThat(violations(devTree("server.http.port", 8443, "server.grpc.port", 8443,
        "server.http.host", "127.0.0.1", "server.grpc.host", "127.0.0.2"), "dev")).isEmpty();
    assertThat(violations(devTree("server.http.port", 0, "server.grpc.port", 0), "dev")).isEmpty();
  }

  @Test
  @DisplayName("a size too large to represent is a violation of its key, not silently wrapped into range")
  void sizeOverflowIsAViolation() {
    assertThat(violations(devTree("server.http.max_body_size", "17179869185GB"), "dev"))
        .singleElement().asString().startsWith("server.http.max_body_size: ");
  }

  @Nested
  @DisplayName("Redis modes: standalone, sentinel, cluster")
  class RedisModes {
    private List<String> redisViolations(Object... pathsAndValues) {
      return violations(devTree(pathsAndValues), "dev");
    }

    @Test
    @DisplayName("cluster: seed endpoints from a YAML list or a comma-separated variable, no URL, never embedded")
    void cluster() {
      AppConfig.Redis list = ConfigParser.parse(devTree("data.redis.mode", "cluster", "data.redis.endpoints",
          new JsonArray().add("redis://:pw@10.0.0.1:6379").add("rediss://app:pw@10.0.0.2:6380/0")), "dev").data().redis();
      assertThat(list.mode()).isEqualTo(AppConfig.RedisMode.CLUSTER);
      assertThat(list.endpoints()).containsExactly("redis://:pw@10.0.0.1:6379", "rediss://app:pw@10.0.0.2:6380/0");
      assertThat(list.url()).isNull();
      assertThat(list.embedded()).isFalse();
      AppConfig.Redis env = ConfigParser.parse(devTree("data.redis.mode", "CLUSTER",
          "data.redis.endpoints", "redis://a:6379, redis://b:6379"), "dev").data().redis();
      assertThat(env.endpoints()).containsExactly("redis://a:6379", "redis://b:6379");
    }

    @Test
    @DisplayName("sentinel: the sentinels, the master name and one password for every node; the record never prints it")
    void sentinel() {
      AppConfig.Redis r = ConfigParser.parse(devTree("data.redis.mode", "sentinel", "data.redis.master_name", "mymaster",
          "data.redis.password", "s3cr3t-pw", "data.redis.endpoints", "redis://s1:26379,redis://s2:26379"), "dev").data().redis();
      assertThat(r.mode()).isEqualTo(AppConfig.RedisMode.SENTINEL);
      assertThat(r.masterName()).isEqualTo("mymaster");
      assertThat(r.password()).isEqualTo("s3cr3t-pw");
      assertThat(r.endpoints()).hasSize(2);
      assertThat(r.embedded()).isFalse();
      assertThat(r.toString()).doesNotContain("s3cr3t-pw");
      AppConfig.Redis withUrl = ConfigParser.parse(devTree("data.redis.url", "redis://:hunter2@c:6379"), "dev").data().redis();
      assertThat(withUrl.toString()).doesNotContain("hunter2");
    }

    @Test
    @DisplayName("TLS settings for rediss:// endpoints: verify hostnames by default, an optional CA file")
    void tls() throws Exception {
      Path ca = Files.writeString(Files.createTempFile("redis-ca", ".pem"), "-----BEGIN CERTIFICATE-----\n");
      try {
        AppConfig.RedisTls tls = ConfigParser.parse(devTree("data.redis.tls.trust_file", ca.toString()), "dev")
            .data().redis().tls();
        assertThat(tls.trustFile()).isEqualTo(ca);
        assertThat(tls.verifyHostname()).isTrue();
      } finally {
        Files.delete(ca);
      }
      assertThat(redisViolations("data.redis.tls.trust_file", "/nonexistent/ca.pem")).containsExactly(
          "data.redis.tls.trust_file: must name a readable PEM file (CA certificates) (got \"/nonexistent/ca.pem\")");
    }

    @TestFactory
    @DisplayName("each missing or misplaced piece is named")
    Stream<DynamicTest> violationsPerMode() {
      return Stream.of(
          new Case("sentinel with nothing", devTree("data.redis.mode", "sentinel"), List.of(
              "data.redis.endpoints: must list at least one sentinel (redis://host:26379) in sentinel mode",
              "data.redis.master_name: is required in sentinel mode (the name the sentinels monitor, e.g. mymaster)")),
          new Case("cluster with nothing", devTree("data.redis.mode", "cluster"), List.of(
              "data.redis.endpoints: must list at least one cluster node (redis://host:6379) in cluster mode")),
          new Case("cluster with a standalone URL", devTree("data.redis.mode", "cluster", "data.redis.url",
              "redis://:hunter2@c:6379", "data.redis.endpoints", "redis://n1:6379"), List.of(
              "data.redis.url: is for standalone mode; in cluster mode list some cluster nodes in data.redis.endpoints"
                  + " (got \"redis://:****@c:6379\")")),
          new Case("sentinel with a standalone URL", devTree("data.redis.mode", "sentinel", "data.redis.url", "redis://c:6379",
              "data.redis.endpoints", "redis://s1:26379", "data.redis.master_name", "m"), List.of(
              "data.redis.url: is for standalone mode; in sentinel mode list the sentinels in data.redis.endpoints"
                  + " (got \"redis://c:6379\")")),
          new Case("standalone with endpoints", devTree("data.redis.endpoints", "redis://n1:6379"), List.of(
              "data.redis.endpoints: is read only in sentinel and cluster mode; standalone uses data.redis.url (got 1 endpoint(s))")),
          new Case("unknown mode", devTree("data.redis.mode", "replicated"), List.of(
              "data.redis.mode: must be one of cluster, sentinel, standalone (got \"replicated\")")),
          new Case("endpoints without port, with a foreign scheme, with a database in cluster mode",
              devTree("data.redis.mode", "cluster", "data.redis.endpoints", new JsonArray().add("redis://:hunter2@n1")
                  .add("http://n2:6379").add("redis://n3:6379/2").add("redis://n4:6379")), List.of(
              "data.redis.endpoints[0]: must be a URL with scheme redis or rediss, a host and a port (redis://host:6379)"
                  + " (got \"redis://:****@n1\")",
              "data.redis.endpoints[1]: must be a URL with scheme redis or rediss, a host and a port (redis://host:6379)"
                  + " (got \"http://n2:6379\")",
              "data.redis.endpoints[2]: must not select a database: Redis Cluster has only database 0 (got \"redis://n3:6379/2\")")),
          new Case("a key prefix with a brace", devTree("data.redis.key_prefix", "app{1}:"), List.of(
              "data.redis.key_prefix: must not contain { or } (keys carry their own hash tags) (got \"app{1}:\")")),
          new Case("a wait queue smaller than the pool in cluster mode", devTree("data.redis.mode", "cluster",
              "data.redis.endpoints", "redis://n1:6379", "data.redis.pool_size", 32, "data.redis.max_wait_queue", 8), List.of(
              "data.redis.max_wait_queue: must be at least data.redis.pool_size (32) in cluster mode (got 8)")))
          .map(c -> dynamicTest(c.name(), () -> assertThat(violations(c.tree(), "dev")).containsExactlyElementsOf(c.lines())));
    }
  }
}
