package io.xredline.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns the merged configuration tree into {@link AppConfig}, collecting every violation. */
public final class ConfigParser {
  /** An HTTP field name: a token (RFC 9110 §5.1). */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  /** A field value this service sends: visible ASCII, spaces and tabs, nothing that ends a line. */
  private static final Pattern HEADER_VALUE = Pattern.compile("[\\x20-\\x7e\\t]*");
  public static final Set<String> ENVIRONMENTS = Set.of("dev", "test", "prod");

  /** Secrets shipped in conf/*.yaml; prod refuses any secret equal to or containing one of them. */
  static final List<String> SHIPPED_JWT_SECRETS = List.of(
      "xredline-dev-secret-key-change-me-0123456789",
      "xredline-test-secret-key-not-for-production-0123");

  /** TOTP encryption keys shipped in conf/*.yaml (base64); prod refuses them. */
  static final List<String> SHIPPED_TOTP_KEYS = List.of("eHJlZGxpbmUtZGV2LXRvdHAta2V5LW5vdC1zZWNyZXQ=");

  /** Root keys shipped in conf/*.yaml (base64): dev/test only, prod refuses them. */
  static final List<String> SHIPPED_MASTER_KEYS = List.of("eHJlZGxpbmUtZGV2LXJvb3Qta2V5LW5vdC00LXByb2Q=");

  static final List<String> JWT_ALGORITHMS = List.of("HS256", "RS256", "ES256");

  private static final Duration MAX_DURATION = Duration.ofDays(3650);
  private static final int MAX_INSTANCES = 1024;

  private ConfigParser() {
  }

  public static AppConfig parse(JsonObject tree, String env) {
    return check(new EffectiveConfig(env, tree, Map.of())).config();
  }

  /** A valid configuration and what is worth a warning: keys nothing reads (errors in prod). */
  public record Checked(AppConfig config, List<Violation> warnings) {
  }

  /**
   * Parses and validates; keys nothing reads are warnings naming the closest known key, and in
   * prod violations, since there a misspelt key silently leaves a default in force.
   */
  public static Checked check(EffectiveConfig effective) {
    String env = effective.env();
    java.util.Map<String, KeySpec> keys = new java.util.LinkedHashMap<>();
    List<Violation> violations = new ArrayList<>();
    AppConfig config = parse(effective.tree(), env, keys, violations);
    List<Violation> unknown = effective.unknownKeys(List.copyOf(keys.values()));
    if ("prod".equals(env)) {
      violations.addAll(unknown);
    }
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    List<Violation> warnings = new ArrayList<>("prod".equals(env) ? List.of() : unknown);
    warnings.addAll(deprecated(effective.tree()));
    return new Checked(config, List.copyOf(warnings));
  }

  /** Keys still read under an old name: a warning in every environment, never an error. */
  private static List<Violation> deprecated(JsonObject tree) {
    JsonObject cluster = tree.getJsonObject("cluster");
    if (cluster != null && cluster.getValue("kubernetes_service_dns") != null) {
      return List.of(new Violation("cluster.kubernetes_service_dns",
          "is deprecated; use cluster.kubernetes.service_dns (the flat key is read only when the nested one is unset)",
          ConfigReader.quote(String.valueOf(cluster.getValue("kubernetes_service_dns")))));
    }
    return List.of();
  }

  /** Every key the parser reads, in reading order: the source of docs/configuration.md. */
  public static List<KeySpec> keys(JsonObject tree) {
    java.util.Map<String, KeySpec> keys = new java.util.LinkedHashMap<>();
    // the keys are known even when a value is not valid
    parse(tree, "dev", keys, new ArrayList<>());
    return List.copyOf(keys.values());
  }

  /** Every key is read whatever the other values say, so the set of known keys never depends on them. */
  private static AppConfig parse(JsonObject tree, String env, java.util.Map<String, KeySpec> keys,
                                 List<Violation> violations) {
    ConfigReader root = ConfigReader.root(tree, violations, keys);
    if (!ENVIRONMENTS.contains(env)) {
      violations.add(new Violation("env", "must be one of dev, test, prod", ConfigReader.quote(env)));
    }
    AppConfig config = new AppConfig(
        env,
        server(root.section("server")),
        data(root.section("data")),
        auth(root.section("auth"), env),
        log(root.section("log")),
        security(root.section("security"), env),
        monitoring(root.section("monitoring")),
        cluster(root.section("cluster")),
        capabilities(root.section("capabilities")),
        features(root),
        plugins(root.section("plugins")));
    if ("prod".equals(env)) {
      prodRules(config, violations);
    }
    return config;
  }

  private static AppConfig.Server server(ConfigReader r) {
    ConfigReader http = r.section("http");
    ConfigReader grpc = r.section("grpc");
    AppConfig.Http web = new AppConfig.Http(
        http.string("host", "0.0.0.0"),
        http.integer("port", 8000, 0, 65535),
        instances(http),
        http.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofHours(1)),
        http.bytes("max_body_size", 1024 * 1024, 1, 1024L * 1024 * 1024),
        frontendDir(http));
    AppConfig.Grpc rpc = new AppConfig.Grpc(
        grpc.string("host", "0.0.0.0"),
        grpc.integer("port", 9000, 0, 65535),
        instances(grpc));
    // Vert.x shares one listener between servers bound to the same address and hands its
    // connections to them in turn: REST requests would reach the gRPC server and fail at random
    if (web.port() != 0 && web.port() == rpc.port() && sameListener(web.host(), rpc.host())) {
      grpc.violation("port", "must differ from server.http.port on the same host (both would share one listener)",
          rpc.port());
    }
    return new AppConfig.Server(
        web,
        rpc,
        r.duration("shutdown_delay", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5)),
        r.duration("shutdown_timeout", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1)),
        perCore(r.integer("event_loops", 0, 0, MAX_INSTANCES)));
  }

  /** Two binds on one port overlap when their hosts are the same or either is a wildcard address. */
  private static boolean sameListener(String a, String b) {
    return a.equalsIgnoreCase(b) || wildcard(a) || wildcard(b);
  }

  /** An empty host binds every address too. */
  private static boolean wildcard(String host) {
    return host.isEmpty() || AppConfig.wildcardHost(host);
  }

  /** A configured directory must hold a frontend build; a typo would otherwise serve only 404s. */
  private static Path frontendDir(ConfigReader http) {
    Path dir = pathOrNull(http.string("frontend_dir", null));
    if (dir != null && !Files.isRegularFile(dir.resolve("index.html"))) {
      http.violation("frontend_dir", "must be a directory containing index.html (the frontend build, frontend/dist)",
          ConfigReader.quote(dir.toString()));
    }
    return dir;
  }

  private static int instances(ConfigReader r) {
    return instances(r, 0);
  }

  private static int instances(ConfigReader r, int fallback) {
    return perCore(r.integer("instances", fallback, 0, MAX_INSTANCES));
  }

  private static int perCore(int n) {
    return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
  }

  private static AppConfig.Capabilities capabilities(ConfigReader r) {
    return new AppConfig.Capabilities(
        instances(r.section("auth"), 0),
        instances(r.section("greeter"), 0),
        instances(r.section("health"), 1),
        instances(r.section("audit"), 1));
  }

  private static AppConfig.Data data(ConfigReader r) {
    ConfigReader db = r.section("database");
    ConfigReader redis = r.section("redis");
    URI dbUrl = db.url("url", Set.of("postgresql", "postgres"));
    String dataDir = db.section("embedded").string("data_dir", "~/.xredline/pgdata");
    return new AppConfig.Data(
        new AppConfig.Database(
            dbUrl == null ? null : dbUrl.toString(),
            db.integer("pool_size", 16, 1, 1000),
            db.integer("max_wait_queue", 1024, -1, 1_000_000),
            db.duration("connect_timeout", Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(5)),
            db.duration("idle_timeout", Duration.ofMinutes(10), Duration.ZERO, MAX_DURATION),
            db.duration("slow_query_threshold", Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofHours(1)),
            db.bool("allow_insecure", false),
            expandHome(dataDir)),
        redis(redis));
  }

  static final Set<String> REDIS_SCHEMES = Set.of("redis", "rediss");

  /** Each mode needs its own pieces; every missing or misplaced one is named. */
  private static AppConfig.Redis redis(ConfigReader redis) {
    String modeName = redis.oneOf("mode", "standalone", Set.of("standalone", "sentinel", "cluster"));
    AppConfig.RedisMode mode = AppConfig.RedisMode.valueOf(modeName.toUpperCase(Locale.ROOT));
    URI url = redis.url("url", REDIS_SCHEMES);
    List<String> endpoints = redisEndpoints(redis, mode);
    String masterName = redis.string("master_name", null);
    String password = redis.secret("password");
    String keyPrefix = redis.string("key_prefix", "xredline:");
    int poolSize = redis.integer("pool_size", 16, 1, 1000);
    int maxWaitQueue = redis.integer("max_wait_queue", 1024, -1, 1_000_000);
    if (mode != AppConfig.RedisMode.STANDALONE && maxWaitQueue < poolSize) {
      // the sentinel and cluster clients refuse to start otherwise
      redis.violation("max_wait_queue", "must be at least data.redis.pool_size (" + poolSize + ") in " + modeName + " mode",
          maxWaitQueue);
    }
    ConfigReader tls = redis.section("tls");
    Path trustFile = pathOrNull(tls.string("trust_file", null));
    if (trustFile != null && !Files.isReadable(trustFile)) {
      tls.violation("trust_file", "must name a readable PEM file (CA certificates)", ConfigReader.quote(trustFile.toString()));
    }
    if (keyPrefix.contains("{") || keyPrefix.contains("}")) {
      // a brace in the prefix would become every key's Redis Cluster hash tag: one slot for all users
      redis.violation("key_prefix", "must not contain { or } (keys carry their own hash tags)", ConfigReader.quote(keyPrefix));
    }
    switch (mode) {
      case STANDALONE -> {
        if (!endpoints.isEmpty()) {
          redis.violation("endpoints", "is read only in sentinel and cluster mode; standalone uses data.redis.url", endpoints.size()
              + " endpoint(s)");
        }
      }
      case SENTINEL -> {
        endpointsOnly(redis, url, endpoints, "sentinel", "the sentinels", "sentinel (redis://host:26379)");
        if (masterName == null) {
          redis.violation("master_name", "is required in sentinel mode (the name the sentinels monitor, e.g. mymaster)", null);
        }
      }
      case CLUSTER -> endpointsOnly(redis, url, endpoints, "cluster", "some cluster nodes",
          "cluster node (redis://host:6379)");
    }
    return new AppConfig.Redis(
        mode == AppConfig.RedisMode.STANDALONE && url != null ? url.toString() : null,
        poolSize,
        maxWaitQueue,
        redis.duration("connect_timeout", Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(5)),
        keyPrefix,
        mode,
        mode == AppConfig.RedisMode.STANDALONE ? List.of() : endpoints,
        mode == AppConfig.RedisMode.SENTINEL ? masterName : null,
        password,
        new AppConfig.RedisTls(trustFile, tls.bool("verify_hostname", true)));
  }

  /** Each endpoint is a redis:// or rediss:// URL with host and port; Redis Cluster has only database 0. */
  private static List<String> redisEndpoints(ConfigReader redis, AppConfig.RedisMode mode) {
    List<String> endpoints = new ArrayList<>();
    List<String> given = redis.strings("endpoints");
    for (int i = 0; i < given.size(); i++) {
      String key = "endpoints[" + i + "]";
      String value = given.get(i).trim();
      try {
        URI uri = new URI(value);
        if (uri.getScheme() == null || !REDIS_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))
            || uri.getHost() == null || uri.getPort() < 0) {
          redis.violation(key, "must be a URL with scheme redis or rediss, a host and a port (redis://host:6379)",
              ConfigReader.quote(Secrets.maskUrl(value)));
          continue;
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (mode == AppConfig.RedisMode.CLUSTER && !path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
          redis.violation(key, "must not select a database: Redis Cluster has only database 0",
              ConfigReader.quote(Secrets.maskUrl(value)));
          continue;
        }
        endpoints.add(value);
      } catch (java.net.URISyntaxException e) {
        redis.violation(key, "is not a valid URL", ConfigReader.quote(Secrets.maskUrl(value)));
      }
    }
    return List.copyOf(endpoints);
  }

  /** {@code ~} is $HOME as a shell would read it; the JVM's user.home comes from passwd and ignores $HOME. */
  static Path expandHome(String path) {
    if (path.equals("~") || path.startsWith("~/")) {
      String home = System.getenv("HOME");
      if (home == null || home.isBlank()) {
        home = System.getProperty("user.home");
      }
      return Path.of(home + path.substring(1));
    }
    return Path.of(path);
  }

  private static AppConfig.Auth auth(ConfigReader r, String env) {
    ConfigReader jwt = r.section("jwt");
    ConfigReader captcha = r.section("captcha");
    AppConfig.Jwt jwtConfig = jwt(jwt);
    boolean totpEnabled = r.bool("totp_enabled", true);
    String fixedCode = captcha.string("fixed_code", null);
    if (fixedCode != null && !fixedCode.matches("[A-Za-z0-9]{6}")) {
      captcha.violation("fixed_code", "must be 6 letters or digits", Secrets.mask(fixedCode));
    }
    return new AppConfig.Auth(
        jwtConfig,
        new AppConfig.Captcha(
            captcha.bool("enabled", true),
            captcha.duration("expiration", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofHours(1)),
            fixedCode,
            captcha.bool("log_codes", false),
            email(captcha.section("email"))),
        r.integer("max_login_attempts", 5, 1, 100),
        r.duration("lock_window", Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofDays(1)),
        r.duration("lock_duration", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofDays(30)),
        totpEnabled,
        password(r.section("password")),
        totp(r.section("totp"), env),
        lockout(r.section("lockout")),
        new AppConfig.PasswordReset(r.section("password_reset")
            .duration("expiration", Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofHours(24))));
  }

  private static AppConfig.Lockout lockout(ConfigReader r) {
    return new AppConfig.Lockout(
        r.integer("account_max", 100, 1, 1_000_000),
        r.duration("account_window", Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(365)));
  }

  private static AppConfig.Jwt jwt(ConfigReader jwt) {
    String algorithm = jwt.string("algorithm", "HS256").toUpperCase(Locale.ROOT);
    if (!JWT_ALGORITHMS.contains(algorithm)) {
      jwt.violation("algorithm", "must be one of " + String.join(", ", JWT_ALGORITHMS), ConfigReader.quote(algorithm));
      algorithm = "HS256";
    }
    boolean listed = jwt.has("allowed_algorithms");
    List<String> read = jwt.strings("allowed_algorithms");
    List<String> allowed = listed ? read.stream().map(a -> a.trim().toUpperCase(Locale.ROOT)).toList() : JWT_ALGORITHMS;
    for (String a : allowed) {
      if (!JWT_ALGORITHMS.contains(a)) {
        jwt.violation("allowed_algorithms", "may only list " + String.join(", ", JWT_ALGORITHMS), ConfigReader.quote(a));
      }
    }
    if (!allowed.contains(algorithm)) {
      jwt.violation("allowed_algorithms", "must include auth.jwt.algorithm (" + algorithm + ")", allowed);
    }
    String secret = jwt.secret("secret_key");
    Path privateKey = pathOrNull(jwt.string("private_key_file", null));
    Path publicKey = pathOrNull(jwt.string("public_key_file", null));
    if ("HS256".equals(algorithm)) {
      if (secret == null) {
        jwt.violation("secret_key", "is required", null);
      }
    } else {
      requirePem(jwt, "private_key_file", privateKey, algorithm);
      requirePem(jwt, "public_key_file", publicKey, algorithm);
    }
    return new AppConfig.Jwt(
        secret,
        jwt.string("issuer", "xredline"),
        jwt.string("audience", "xredline"),
        jwt.duration("access_token_expiration", Duration.ofMinutes(15), Duration.ofSeconds(10), Duration.ofDays(1)),
        jwt.duration("refresh_token_expiration", Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofDays(365)),
        jwt.duration("leeway", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5)),
        algorithm,
        List.copyOf(allowed),
        privateKey,
        publicKey);
  }

  private static void requirePem(ConfigReader r, String key, Path path, String algorithm) {
    if (path == null) {
      r.violation(key, "is required when auth.jwt.algorithm is " + algorithm, null);
    } else if (!Files.isReadable(path)) {
      r.violation(key, "must name a readable PEM file", ConfigReader.quote(path.toString()));
    }
  }

  private static AppConfig.Email email(ConfigReader email) {
    ConfigReader smtp = email.section("smtp");
    String host = smtp.string("host", null);
    AppConfig.Smtp server = new AppConfig.Smtp(host,
        smtp.integer("port", 587, 1, 65535),
        smtp.string("username", null),
        smtp.secret("password"),
        smtp.oneOf("starttls", "optional", Set.of("disabled", "optional", "required")),
        smtp.bool("ssl", false));
    if (host == null) {
      server = null;
    }
    return new AppConfig.Email(
        email.string("from", "xredline <no-reply@localhost>"),
        email.string("subject", "Your xredline verification code"),
        server);
  }

  /** OWASP's argon2id minimum; weaker settings are refused, not silently raised. */
  static final int ARGON2_MIN_MEMORY_KIB = 19456;
  static final int ARGON2_MIN_ITERATIONS = 2;
  static final int ARGON2_MIN_PARALLELISM = 1;

  private static AppConfig.Password password(ConfigReader password) {
    ConfigReader argon2 = password.section("argon2");
    return new AppConfig.Password(
        argon2.integer("memory_kib", ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_MEMORY_KIB, 4 * 1024 * 1024),
        argon2.integer("iterations", ARGON2_MIN_ITERATIONS, ARGON2_MIN_ITERATIONS, 100),
        argon2.integer("parallelism", ARGON2_MIN_PARALLELISM, ARGON2_MIN_PARALLELISM, 64),
        password.integer("hashing_pool_size", 2, 1, 256),
        password.integer("hashing_nice", 10, 0, 19));
  }

  private static AppConfig.Totp totp(ConfigReader totp, String env) {
    String key = totp.secret("encryption_key");
    byte[] bytes = key32(totp, "encryption_key", key);
    if (bytes == null && key == null && !"prod".equals(env)) {
      // dev/test without a key: the shipped dev key (what earlier releases sealed with there), which prod refuses
      bytes = java.util.Base64.getDecoder().decode(SHIPPED_TOTP_KEYS.get(0));
    }
    return new AppConfig.Totp(totp.string("issuer", "xredline"), bytes);
  }

  /** A 256-bit key given as base64: its bytes, or null (a violation when set but not exactly 32 bytes). */
  private static byte[] key32(ConfigReader section, String name, String value) {
    if (value == null) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = java.util.Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      bytes = null;
    }
    if (bytes == null || bytes.length != 32) {
      section.violation(name, "must be 32 random bytes in base64 (openssl rand -base64 32)", Secrets.mask(value));
      return null;
    }
    return bytes;
  }

  private static AppConfig.Log log(ConfigReader r) {
    return new AppConfig.Log(
        r.oneOf("level", "info", Set.of("trace", "debug", "info", "warn", "error")),
        r.oneOf("format", "auto", Set.of("auto", "json", "text")),
        r.oneOf("color", "auto", Set.of("auto", "always", "never")));
  }

  /**
   * {@code security.headers.values}: every name an HTTP token, given once (names are
   * case-insensitive: both would be sent), every value printable ASCII on one line. A CR or LF in a
   * value would split the response; Vert.x refuses it, so every response would fail with a 500.
   * {@code Strict-Transport-Security} comes from {@code hsts_max_age} when TLS is on.
   */
  private static Map<String, String> headerValues(ConfigReader headers, boolean tls) {
    Map<String, String> values = headers.stringMap("values");
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, String> header : values.entrySet()) {
      String name = header.getKey();
      String key = "values." + name;
      if (!HEADER_NAME.matcher(name).matches()) {
        headers.violation("values", "header names are HTTP tokens (letters, digits and !#$%&'*+.^_`|~-)",
            ConfigReader.quote(escaped(name)));
        continue;
      }
      if (!seen.add(name.toLowerCase(Locale.ROOT))) {
        headers.violation(key, "names a header already given (header names are case-insensitive)", null);
      }
      if (tls && name.equalsIgnoreCase("Strict-Transport-Security")) {
        headers.violation(key, "is sent from security.headers.hsts_max_age when TLS is on; set that instead", null);
      }
      if (!HEADER_VALUE.matcher(header.getValue()).matches()) {
        headers.violation(key, "must be printable ASCII on one line (a CR or LF would split every response)",
            ConfigReader.quote(escaped(header.getValue())));
      }
    }
    return values;
  }

  /** Control and non-ASCII characters as escapes, so that a refused value prints on one line. */
  private static String escaped(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r') {
        out.append("\\r");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static AppConfig.Security security(ConfigReader r, String env) {
    ConfigReader cors = r.section("cors");
    ConfigReader headers = r.section("headers");
    ConfigReader tls = r.section("tls");
    ConfigReader rate = r.section("rate_limit");
    List<String> origins = cors.strings("allowed_origins");
    for (String origin : origins) {
      if (origin.equals("*") || !origin.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) {
        cors.violation("allowed_origins", "must list exact origins like https://app.example.com (no wildcard, no path)",
            ConfigReader.quote(origin));
      }
    }
    boolean tlsOn = tls.bool("enabled", false);
    Path cert = pathOrNull(tls.string("cert_file", null));
    Path key = pathOrNull(tls.string("key_file", null));
    if (tlsOn) {
      requireFile(tls, "cert_file", cert);
      requireFile(tls, "key_file", key);
    }
    return new AppConfig.Security(
        new AppConfig.Cors(origins,
            cors.strings("allowed_methods"),
            cors.strings("allowed_headers"),
            cors.bool("allow_credentials", false),
            cors.duration("max_age", Duration.ofMinutes(10), Duration.ZERO, Duration.ofDays(1))),
        new AppConfig.Headers(headers.bool("enabled", true),
            headerValues(headers, tlsOn),
            headers.duration("hsts_max_age", Duration.ofDays(365), Duration.ZERO, MAX_DURATION)),
        new AppConfig.Tls(tlsOn, cert, key),
        rateLimit(rate),
        trustedProxies(r),
        r.oneOf("forwarded_header", "x-forwarded-for", Set.of("x-forwarded-for", "forwarded")),
        kms(r.section("kms"), env));
  }

  private static AppConfig.Kms kms(ConfigReader kms, String env) {
    String key = kms.secret("master_key");
    byte[] bytes = key32(kms, "master_key", key);
    if (key == null && !"prod".equals(env)) {
      // dev/test with the key blanked out: the shipped dev key, which prod refuses
      bytes = java.util.Base64.getDecoder().decode(SHIPPED_MASTER_KEYS.get(0));
    }
    return new AppConfig.Kms(bytes,
        kms.duration("refresh_interval", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1)),
        kms.integer("reencrypt_batch_size", 500, 1, 100_000));
  }

  private static List<String> trustedProxies(ConfigReader r) {
    List<String> cidrs = r.strings("trusted_proxies");
    for (String cidr : cidrs) {
      if (io.xredline.net.Cidr.parse(cidr) == null) {
        r.violation("trusted_proxies", "must list IPv4 or IPv6 addresses or CIDRs like 10.0.0.0/8 or fd00::/8",
            ConfigReader.quote(cidr));
      }
    }
    return cidrs;
  }

  /** CONTRACT §9's shipped defaults, used when a policy or one of its keys is not configured. */
  private static final Map<String, AppConfig.Policy> DEFAULT_POLICIES = Map.of(
      "login_ip", new AppConfig.Policy("ip", 20, Duration.ofMinutes(1)),
      "login_account", new AppConfig.Policy("account", 10, Duration.ofMinutes(1)),
      "register_ip", new AppConfig.Policy("ip", 5, Duration.ofMinutes(1)),
      "captcha_ip", new AppConfig.Policy("ip", 30, Duration.ofMinutes(1)),
      "code_target", new AppConfig.Policy("target", 1, Duration.ofSeconds(60)),
      "code_target_day", new AppConfig.Policy("target", 10, Duration.ofDays(1)),
      "password_reset", new AppConfig.Policy("target", 3, Duration.ofHours(1)));

  /**
   * {@code security.rate_limit} alone: hot reload hands this subtree (as the files have it) to
   * the running limiters, which read it here like at start-up.
   */
  public static AppConfig.RateLimit rateLimit(JsonObject rateLimitSection) {
    List<Violation> violations = new ArrayList<>();
    ConfigReader root = new ConfigReader(new JsonObject().put("rate_limit", rateLimitSection), "security",
        violations, new java.util.LinkedHashMap<>());
    AppConfig.RateLimit parsed = rateLimit(root.section("rate_limit"));
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    return parsed;
  }

  private static AppConfig.RateLimit rateLimit(ConfigReader rate) {
    boolean enabled = rate.bool("enabled", true);
    boolean deny = "deny".equals(rate.oneOf("on_redis_error", "allow", Set.of("allow", "deny")));
    Duration timeout = rate.duration("redis_timeout", Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofSeconds(30));
    ConfigReader rates = rate.section("default");
    AppConfig.Rate defaultRate = new AppConfig.Rate(
        rates.integer("requests_per_second", 100, 1, 1_000_000),
        rates.integer("burst", 200, 1, 1_000_000));
    ConfigReader policies = rate.section("policies");
    Map<String, AppConfig.Policy> parsed = new java.util.LinkedHashMap<>();
    AppConfig.RateLimit.POLICIES.forEach((name, subject) -> {
      ConfigReader p = policies.section(name);
      AppConfig.Policy shipped = DEFAULT_POLICIES.get(name);
      String key = p.oneOf("key", subject, Set.of("ip", "account", "target", "user"));
      if (key != null && !key.equals(subject)) {
        // where a policy is applied fixes what it counts per; a different key would be ignored
        p.violation("key", "must be " + subject + " for " + name, ConfigReader.quote(key));
      }
      parsed.put(name, new AppConfig.Policy(subject,
          p.integer("limit", shipped.limit(), 1, 1_000_000),
          p.duration("per", shipped.per(), Duration.ofSeconds(1), Duration.ofDays(30))));
    });
    return new AppConfig.RateLimit(enabled, deny, timeout, defaultRate, java.util.Collections.unmodifiableMap(parsed));
  }

  private static Path pathOrNull(String value) {
    return value == null ? null : expandHome(value);
  }

  private static void requireFile(ConfigReader r, String key, Path path) {
    if (path == null) {
      r.violation(key, "is required when TLS is enabled", null);
    } else if (!Files.isReadable(path)) {
      r.violation(key, "must name a readable PEM file", ConfigReader.quote(path.toString()));
    }
  }

  /** Kept as the files give it (hot reload republishes it); each entry must have {@link FeatureFlag}'s shape. */
  private static JsonObject features(ConfigReader root) {
    JsonObject features = root.raw("features");
    FeatureFlag.parseAll(features, (key, problem) -> root.violation("features." + key, problem, null));
    return features;
  }

  /**
   * {@code plugins.enabled}, {@code .directory}, {@code .sandbox}; every other key is one plugin's
   * own block, handed to it as its verticle config.
   */
  private static AppConfig.Plugins plugins(ConfigReader r) {
    ConfigReader sandbox = r.section("sandbox");
    boolean enabled = r.bool("enabled", true);
    Path directory = pathOrNull(r.string("directory", "plugins"));
    Duration timeout = sandbox.duration("timeout", Duration.ofMillis(500), Duration.ofMillis(1), Duration.ofMinutes(1));
    int maxFailures = sandbox.integer("max_failures", 5, 1, 1000);
    Duration coolDown = sandbox.duration("cool_down", Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofHours(24));
    Map<String, JsonObject> settings = new java.util.LinkedHashMap<>();
    for (String name : r.names()) {
      if (!Set.of("enabled", "directory", "sandbox").contains(name)) {
        if (!name.matches("[a-z][a-z0-9_-]{0,63}")) {
          r.violation(name, "a plugin name must be lower case letters, digits, - and _ (at most 64)", null);
        }
        settings.put(name, r.raw(name));
      }
    }
    return new AppConfig.Plugins(enabled, directory, timeout, maxFailures, coolDown, settings);
  }

  private static AppConfig.Monitoring monitoring(ConfigReader r) {
    ConfigReader metrics = r.section("metrics");
    ConfigReader health = r.section("health");
    ConfigReader tracing = r.section("tracing");
    String metricsPath = metrics.string("path", "/metrics");
    if (!metricsPath.matches("/[A-Za-z0-9/_-]*")) {
      metrics.violation("path", "must be an absolute path like /metrics", ConfigReader.quote(metricsPath));
    }
    Map<String, String> deps = health.stringMap("http_dependencies");
    deps.forEach((name, url) -> {
      if (!url.matches("https?://.+")) {
        health.violation("http_dependencies." + name, "must be an http(s) URL", ConfigReader.quote(url));
      }
    });
    boolean tracingOn = tracing.bool("enabled", false);
    String endpoint = tracing.string("endpoint", null);
    if (tracingOn && endpoint == null) {
      tracing.violation("endpoint", "is required when tracing is enabled", null);
    }
    return new AppConfig.Monitoring(
        new AppConfig.Metrics(metrics.bool("enabled", true), metricsPath),
        new AppConfig.Health(
            health.duration("cache_ttl", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(5)),
            health.decimal("memory_threshold", 0.9, 0.1, 1.0),
            health.duration("check_timeout", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(1)),
            health.duration("event_loop_max_delay", Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMinutes(5)),
            deps),
        new AppConfig.Tracing(tracingOn, endpoint, tracing.decimal("sample_ratio", 0.1, 0.0, 1.0)),
        r.section("docs").bool("enabled", true));
  }

  private static AppConfig.Cluster cluster(ConfigReader r) {
    boolean enabled = r.bool("enabled", false);
    List<String> members = r.strings("members");
    for (String member : members) {
      if (!member.matches("[A-Za-z0-9.-]+(:\\d{1,5})?")) {
        r.violation("members", "must list host or host:port entries, one member each (no port ranges)",
            ConfigReader.quote(member));
      }
    }
    String serviceDns = r.section("kubernetes").string("service_dns", null);
    // the flat spelling came first; still read, with a warning (ConfigParser.DEPRECATED)
    String flatDns = r.string("kubernetes_service_dns", null);
    if (serviceDns == null) {
      serviceDns = flatDns;
    }
    if (enabled && members.isEmpty() && serviceDns == null) {
      r.violation("members", "must name at least one member (host:port) when clustering is enabled"
          + " (or set cluster.kubernetes.service_dns)", null);
    }
    List<String> roleList = r.strings("roles");
    java.util.Set<String> roles = new java.util.LinkedHashSet<>();
    for (String role : roleList.isEmpty() ? AppConfig.Cluster.ROLES : roleList) {
      String name = role.trim().toLowerCase(java.util.Locale.ROOT);
      if (!AppConfig.Cluster.ROLES.contains(name)) {
        r.violation("roles", "must list roles out of " + String.join(", ", AppConfig.Cluster.ROLES), ConfigReader.quote(role));
      }
      roles.add(name);
    }
    if (!enabled && !roles.containsAll(AppConfig.Cluster.ROLES)) {
      r.violation("roles", "a node with only some roles needs cluster.enabled: true (the other roles run elsewhere)",
          ConfigReader.quote(String.join(",", roleList)));
    }
    String secret = r.string("secret", null);
    if (secret != null && secret.length() < 16) {
      r.violation("secret", "must be at least 16 characters", Secrets.mask(secret));
    }
    ConfigReader tls = r.section("tls");
    boolean tlsOn = tls.bool("enabled", false);
    Path cert = pathOrNull(tls.string("cert_file", null));
    Path key = pathOrNull(tls.string("key_file", null));
    Path ca = pathOrNull(tls.string("ca_file", null));
    if (tlsOn) {
      requireFile(tls, "cert_file", cert);
      requireFile(tls, "key_file", key);
      requireFile(tls, "ca_file", ca);
    }
    return new AppConfig.Cluster(
        enabled,
        r.string("name", "xredline"),
        r.string("host", "127.0.0.1"),
        r.string("public_host", null),
        r.integer("port", 5701, 1, 65535),
        r.integer("event_bus_port", 0, 0, 65535),
        members,
        serviceDns,
        r.integer("min_members", 1, 1, 1000),
        java.util.Collections.unmodifiableSet(roles),
        secret,
        new AppConfig.ClusterTls(tlsOn, cert, key, ca));
  }

  /** CONTRACT §2: what prod refuses even when every value is well formed. */
  private static void prodRules(AppConfig c, List<Violation> violations) {
    String secret = c.auth().jwt().secretKey();
    if (secret != null) {
      if (secret.length() < 32) {
        violations.add(new Violation("auth.jwt.secret_key", "must be at least 32 characters in prod", Secrets.mask(secret)));
      }
      for (String shipped : SHIPPED_JWT_SECRETS) {
        if (secret.contains(shipped)) {
          violations.add(new Violation("auth.jwt.secret_key", "must not be (or contain) a default shipped with xredline",
              Secrets.mask(secret)));
          break;
        }
      }
    }
    byte[] totpKey = c.auth().totp().encryptionKey();
    if (totpKey != null) {
      String encoded = java.util.Base64.getEncoder().encodeToString(totpKey);
      if (SHIPPED_TOTP_KEYS.contains(encoded)) {
        violations.add(new Violation("auth.totp.encryption_key", "must not be a default shipped with xredline",
            Secrets.mask(encoded)));
      }
    }
    byte[] masterKey = c.security().kms().masterKey();
    if (masterKey == null) {
      violations.add(new Violation("security.kms.master_key",
          "is required in prod (it protects every email and phone at rest); set XREDLINE_MASTER_KEY (openssl rand -base64 32)",
          null));
    } else if (SHIPPED_MASTER_KEYS.contains(java.util.Base64.getEncoder().encodeToString(masterKey))) {
      violations.add(new Violation("security.kms.master_key", "must not be the dev key shipped with xredline",
          Secrets.mask(java.util.Base64.getEncoder().encodeToString(masterKey))));
    }
    if (c.auth().captcha().fixedCode() != null) {
      violations.add(new Violation("auth.captcha.fixed_code", "is for dev/test only and refused in prod",
          Secrets.mask(c.auth().captcha().fixedCode())));
    }
    if (c.auth().captcha().logCodes()) {
      violations.add(new Violation("auth.captcha.log_codes", "is for dev only and refused in prod", "true"));
    }
    if (!c.security().headers().enabled()) {
      violations.add(new Violation("security.headers.enabled",
          "must be true in prod (CSP, frame and content-type protections)", "false"));
    }
    for (String origin : c.security().cors().allowedOrigins()) {
      if (!origin.startsWith("https://")) {
        violations.add(new Violation("security.cors.allowed_origins", "must list only https:// origins in prod",
            ConfigReader.quote(origin)));
      }
    }
    if (c.cluster().enabled()) {
      if (c.cluster().secret() == null) {
        violations.add(new Violation("cluster.secret",
            "is required in prod when clustering is enabled (only members holding it can join)", null));
      }
      if (!c.cluster().tls().enabled()) {
        violations.add(new Violation("cluster.tls.enabled",
            "must be true in prod when clustering is enabled (tokens and passwords cross the event bus)", "false"));
      }
    }
    AppConfig.Database db = c.data().database();
    if (db.embedded()) {
      violations.add(new Violation("data.database.url",
          "is required in prod (the embedded PostgreSQL is for dev/test); set DATABASE_URL", null));
    } else if (!db.allowInsecure()) {
      String sslmode = sslmode(db.url());
      if ("disable".equals(sslmode)) {
        violations.add(new Violation("data.database.url",
            "uses sslmode=disable; use TLS or set data.database.allow_insecure: true", ConfigReader.quote(Secrets.maskUrl(db.url()))));
      } else if (!Set.of("require", "verify-ca", "verify-full").contains(sslmode)) {
        // no sslmode (or allow/prefer) means the client may silently talk plain TCP
        violations.add(new Violation("data.database.url",
            "must set sslmode=require, verify-ca or verify-full in prod (or data.database.allow_insecure: true)",
            ConfigReader.quote(Secrets.maskUrl(db.url()))));
      }
    }
    AppConfig.Redis redis = c.data().redis();
    boolean sharedPassword = redis.password() != null;
    if (redis.embedded()) {
      violations.add(new Violation("data.redis.url",
          "is required in prod (the embedded Redis is for dev/test); set REDIS_URL", null));
    } else if (redis.mode() == AppConfig.RedisMode.STANDALONE) {
      if (Secrets.urlPassword(redis.url()).isEmpty() && !sharedPassword) {
        violations.add(new Violation("data.redis.url",
            "must carry a password in prod (redis://:PASSWORD@host:6379/0) or set data.redis.password",
            ConfigReader.quote(Secrets.maskUrl(redis.url()))));
      }
    } else {
      List<String> endpoints = redis.endpoints();
      for (int i = 0; i < endpoints.size(); i++) {
        if (Secrets.urlPassword(endpoints.get(i)).isEmpty() && !sharedPassword) {
          violations.add(new Violation("data.redis.endpoints[" + i + "]",
              "must carry a password in prod (redis://:PASSWORD@host:port) or set data.redis.password",
              ConfigReader.quote(Secrets.maskUrl(endpoints.get(i)))));
        }
      }
    }
  }

  static String sslmode(String url) {
    String query = URI.create(url).getRawQuery();
    if (query != null) {
      for (String param : query.split("&")) {
        if (param.toLowerCase(Locale.ROOT).startsWith("sslmode=")) {
          return param.substring("sslmode=".length()).toLowerCase(Locale.ROOT);
        }
      }
    }
    return "";
  }

  /** Sentinel and cluster mode read {@code endpoints}, never {@code url}; at least one endpoint. */
  private static void endpointsOnly(ConfigReader redis, URI url, List<String> endpoints, String mode, String which,
                                    String example) {
    if (url != null) {
      redis.violation("url", "is for standalone mode; in " + mode + " mode list " + which + " in data.redis.endpoints",
          ConfigReader.quote(Secrets.maskUrl(url.toString())));
    }
    if (endpoints.isEmpty()) {
      redis.violation("endpoints", "must list at least one " + example + " in " + mode + " mode", null);
    }
  }
}
