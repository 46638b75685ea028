package io.xredline.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The whole configuration, parsed and validated once at start-up; every verticle receives it as is. */
public record AppConfig(
    String env,
    Server server,
    Data data,
    Auth auth,
    Log log,
    Security security,
    Monitoring monitoring,
    Cluster cluster,
    Capabilities capabilities,
    JsonObject features,
    Plugins plugins) {

  public boolean isProd() {
    return "prod".equals(env);
  }

  /** A listener host meaning every address: the IPv4 and IPv6 wildcards, bracketed or not. */
  public static boolean wildcardHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /**
   * On SIGTERM readiness turns DOWN, listeners keep serving for {@code shutdownDelay} (so load
   * balancers notice), then stop accepting and drain in-flight requests for up to {@code shutdownTimeout}.
   * {@code eventLoops} is resolved (0 in the file means one per core).
   */
  public record Server(Http http, Grpc grpc, Duration shutdownDelay, Duration shutdownTimeout, int eventLoops) {
  }

  /**
   * {@code instances} is already resolved: 0 in the file means one per core. {@code frontendDir}
   * null means the browser frontend built into the jar (classpath {@code webroot/}).
   */
  public record Http(String host, int port, int instances, Duration timeout, long maxBodySize, Path frontendDir) {
  }

  /**
   * Verticle instances per capability, resolved (0 in the file means one per core). Their state
   * lives in PostgreSQL and Redis, so instances share nothing but the process's pool.
   */
  public record Capabilities(int auth, int greeter, int health, int audit) {
  }

  public record Grpc(String host, int port, int instances) {
  }

  public record Data(Database database, Redis redis) {
  }

  /** {@code url == null} means: start the embedded PostgreSQL in {@code embeddedDataDir}. */
  public record Database(String url, int poolSize, int maxWaitQueue, Duration connectTimeout, Duration idleTimeout,
                         Duration slowQueryThreshold, boolean allowInsecure, Path embeddedDataDir) {
    public boolean embedded() {
      return url == null;
    }
  }

  /**
   * {@code url} is the standalone server ({@code null} in standalone mode means: start the embedded
   * Redis); {@code endpoints} are the sentinels (sentinel mode) or seed nodes (cluster mode).
   * {@code password} applies to every endpoint whose URL carries none.
   */
  public record Redis(String url, int poolSize, int maxWaitQueue, Duration connectTimeout, String keyPrefix,
                      RedisMode mode, List<String> endpoints, String masterName, String password, RedisTls tls) {
    public boolean embedded() {
      return mode == RedisMode.STANDALONE && url == null;
    }

    @Override
    public String toString() {
      return "Redis[mode=" + mode + ", url=" + Secrets.maskUrl(url) + ", endpoints="
          + endpoints.stream().map(Secrets::maskUrl).toList() + ", master_name=" + masterName
          + ", password=" + (password == null ? "(unset)" : "****") + ", key_prefix=" + keyPrefix + "]";
    }
  }

  public enum RedisMode { STANDALONE, SENTINEL, CLUSTER }

  /** For {@code rediss://} endpoints: {@code trustFile} null means the JVM's default trust store. */
  public record RedisTls(Path trustFile, boolean verifyHostname) {
  }

  public record Auth(Jwt jwt, Captcha captcha, int maxLoginAttempts, Duration lockWindow, Duration lockDuration,
                     boolean totpEnabled, Password password, Totp totp, Lockout lockout, PasswordReset passwordReset) {
  }

  /** How long a code sent by {@code POST /api/v1/auth/password/forgot} stays valid (single use). */
  public record PasswordReset(Duration expiration) {
  }

  /**
   * The account-wide cap: {@code accountMax} failed sign-ins for one account from all addresses
   * within {@code accountWindow} lock the account until an admin unlock or a password reset.
   */
  public record Lockout(int accountMax, Duration accountWindow) {
  }

  /**
   * {@code algorithm} signs new tokens; only algorithms in {@code allowedAlgorithms} are ever accepted.
   * HS256 uses {@code secretKey}; RS256/ES256 use the PEM key files (PKCS#8 private, X.509 public).
   */
  public record Jwt(String secretKey, String issuer, String audience, Duration accessTokenExpiration,
                    Duration refreshTokenExpiration, Duration leeway, String algorithm, List<String> allowedAlgorithms,
                    Path privateKeyFile, Path publicKeyFile) {
    public boolean asymmetric() {
      return !"HS256".equals(algorithm);
    }
  }

  /** The captcha code length is fixed at 6 (CONTRACT §3); {@code email.smtp == null} means log delivery. */
  public record Captcha(boolean enabled, Duration expiration, String fixedCode, boolean logCodes, Email email) {
  }

  public record Email(String from, String subject, Smtp smtp) {
  }

  /** {@code starttls} is one of disabled, optional, required. */
  public record Smtp(String host, int port, String username, String password, String starttls, boolean ssl) {
    @Override
    public String toString() {
      return "Smtp[" + host + ":" + port + ", username=" + username + ", password=****]";
    }
  }

  /**
   * argon2id parameters (never below the OWASP floor m=19456 KiB, t=2, p=1), the hashing pool size,
   * and the Linux nice value digests are computed at (0: the process's priority).
   */
  public record Password(int memoryKib, int iterations, int parallelism, int hashingPoolSize, int hashingNice) {
  }

  /**
   * {@code encryptionKey}: the fixed AES-256 key earlier releases sealed TOTP secrets with; read only
   * by the migration that re-seals them under the data keys (null when not configured).
   */
  public record Totp(String issuer, byte[] encryptionKey) {
  }

  /**
   * {@code format} auto = text at a terminal in dev, JSON otherwise; {@code color} auto = ANSI
   * colours on text lines at a terminal unless NO_COLOR is set (both resolved by LogSetup).
   */
  public record Log(String level, String format, String color) {
  }

  /**
   * {@code trustedProxies}: CIDRs whose {@code forwardedHeader} ({@code x-forwarded-for} or
   * {@code forwarded}) is believed; every other peer is the client itself.
   */
  public record Security(Cors cors, Headers headers, Tls tls, RateLimit rateLimit, List<String> trustedProxies,
                         String forwardedHeader, Kms kms) {
  }

  /**
   * Envelope encryption of PII at rest: {@code masterKey} (32 bytes) wraps the data keys in the
   * database and never leaves memory; every {@code refreshInterval} an instance picks up a key added
   * by {@code kms rotate} and re-encrypts up to {@code reencryptBatchSize} accounts still under an older key.
   */
  public record Kms(byte[] masterKey, Duration refreshInterval, int reencryptBatchSize) {
    @Override
    public String toString() {
      return "Kms[master_key=****, refresh_interval=" + refreshInterval + ", reencrypt_batch_size=" + reencryptBatchSize + "]";
    }
  }

  /** An empty {@code allowedOrigins} list means no cross-origin access at all. */
  public record Cors(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                     boolean allowCredentials, Duration maxAge) {
  }

  /** HSTS is added only when TLS is on: browsers ignore it over plain HTTP and it would mislead. */
  public record Headers(boolean enabled, Map<String, String> values, Duration hstsMaxAge) {
  }

  public record Tls(boolean enabled, Path certFile, Path keyFile) {
  }

  /**
   * CONTRACT §9. {@code defaultRate} applies per client address to every API route; each entry of
   * {@code policies} (all of {@link #POLICIES}, always present) to the place that names it.
   * {@code denyOnRedisError}: refuse (503) rather than allow when Redis cannot decide within
   * {@code redisTimeout}.
   */
  public record RateLimit(boolean enabled, boolean denyOnRedisError, Duration redisTimeout, Rate defaultRate,
                          Map<String, Policy> policies) {
    /** The name of the per-address policy every API route passes. */
    public static final String DEFAULT = "default";
    /** Every named policy the service applies, with the subject it counts per (ip, account, target). */
    public static final Map<String, String> POLICIES = orderedPolicies();

    public Policy policy(String name) {
      Policy policy = policies.get(name);
      if (policy == null) {
        throw new IllegalArgumentException("no rate-limit policy " + name);
      }
      return policy;
    }

    private static Map<String, String> orderedPolicies() {
      Map<String, String> p = new java.util.LinkedHashMap<>();
      p.put("login_ip", "ip");
      p.put("login_account", "account");
      p.put("register_ip", "ip");
      p.put("captcha_ip", "ip");
      p.put("code_target", "target");
      p.put("code_target_day", "target");
      p.put("password_reset", "target");
      return java.util.Collections.unmodifiableMap(p);
    }
  }

  /** A sustained rate with a burst on top: a bucket of {@code burst} refilled at {@code requestsPerSecond}. */
  public record Rate(int requestsPerSecond, int burst) {
  }

  /** {@code limit} requests per {@code per}, counted per {@code key} (ip, account or target). */
  public record Policy(String key, int limit, Duration per) {
  }

  public record Monitoring(Metrics metrics, Health health, Tracing tracing, boolean docsEnabled) {
  }

  public record Metrics(boolean enabled, String path) {
  }

  public record Health(Duration cacheTtl, double memoryThreshold, Duration checkTimeout, Duration eventLoopMaxDelay,
                       Map<String, String> httpDependencies) {
  }

  public record Tracing(boolean enabled, String endpoint, double sampleRatio) {
  }

  /** {@code host} is the interface Hazelcast and the event bus bind; {@code publicHost} what peers dial (null = host). */
  public record Cluster(boolean enabled, String name, String host, String publicHost, int port, int eventBusPort,
                        List<String> members, String kubernetesServiceDns, int minMembers, java.util.Set<String> roles,
                        String secret, ClusterTls tls) {
    /** Every role a node can take; a node deploys the verticles of its roles only. */
    public static final List<String> ROLES = List.of("http", "grpc", "auth", "greeter", "audit", "health");

    /** The roles behind the bus that a transport calls. */
    public static final List<String> CAPABILITIES = List.of("auth", "greeter", "audit");

    public boolean has(String role) {
      return roles.contains(role);
    }

    /** Capabilities this node's transports call but it does not hold: someone else in the cluster must. */
    public List<String> needsFromCluster() {
      if (!has("http") && !has("grpc")) {
        return List.of();
      }
      return CAPABILITIES.stream().filter(c -> !has(c)).toList();
    }
  }

  /** Event-bus TLS between members: every member presents {@code certFile} and trusts only {@code caFile}. */
  public record ClusterTls(boolean enabled, Path certFile, Path keyFile, Path caFile) {
  }

  /**
   * CONTRACT §12. {@code directory} holds plugin jars (each gets its own class loader); a hook
   * answer later than {@code timeout} counts as a failure, {@code maxFailures} in a row open the
   * plugin's breaker for {@code coolDown}. {@code settings}: each plugin's own block by name.
   */
  public record Plugins(boolean enabled, Path directory, Duration timeout, int maxFailures, Duration coolDown,
                        Map<String, JsonObject> settings) {
    public JsonObject settings(String name) {
      JsonObject block = settings.get(name);
      return block == null ? new JsonObject() : block.copy();
    }
  }
}
