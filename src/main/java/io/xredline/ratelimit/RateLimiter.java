package io.xredline.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.xredline.config.AppConfig;
import io.xredline.config.ConfigParser;
import io.xredline.config.ConfigWatch;
import io.xredline.config.InvalidConfigException;
import io.xredline.data.Backends;
import io.xredline.data.KeyDigest;
import io.xredline.data.RedisClients;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.net.Addresses;
import io.xredline.observability.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CONTRACT §9's limits, one implementation for every place that applies one: the transports (the
 * per-address {@code default} on every API route) and the auth capability (the named policies).
 * Each decision is one Redis script ({@link RateLimitBuckets}); the settings follow
 * {@code security.rate_limit} at runtime (hot reload), and when Redis cannot answer within
 * {@code redis_timeout}, {@code on_redis_error} decides.
 */
public final class RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  static final String REFUSED_METER = "xredline.rate_limited";
  static final String ERRORS_METER = "xredline.rate_limit.errors";
  /** At most one warning per this many ms while Redis is failing: a flood of requests is not a flood of lines. */
  private static final long WARN_EVERY_MS = 10_000;

  /** What one decision found: the policy that decided (the tightest one when allowed) and where it stands. */
  public record Decision(boolean allowed, String policy, long quota, long windowSeconds, long remaining,
                         long resetSeconds) {
    /** No limit applied (limits off, or Redis unreachable with {@code on_redis_error: allow}). */
    static final Decision UNLIMITED = new Decision(true, null, 0, 0, 0, 0);

    public boolean limited() {
      return policy != null;
    }

    /** 429 RATE_LIMITED with what the transports render as Retry-After, RateLimit-Policy and RateLimit. */
    public AppError toError() {
      long retry = Math.max(1, resetSeconds);
      return new AppError(Reason.RATE_LIMITED, "too many requests (" + policy + "); retry after " + retry + " s",
          new JsonObject().put("policy", policy).put("retry_after_seconds", retry).put("quota", quota)
              .put("window_seconds", windowSeconds).put("remaining", remaining));
    }
  }

  private final RateLimitBuckets buckets;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Counter failedOpen;
  private final Counter failedClosed;
  private final AtomicLong lastWarning = new AtomicLong();
  private final MessageConsumer<JsonObject> reloads;
  private final Redis ownClient;
  private volatile Current current;

  /** The settings and their buckets by policy, made once per setting (a decision runs on every API request). */
  private record Current(AppConfig.RateLimit settings, Map<String, RateLimitBuckets.Bucket> buckets) {
    static Current of(AppConfig.RateLimit s) {
      Map<String, RateLimitBuckets.Bucket> made = new HashMap<>();
      if (s.defaultRate() != null) {
        made.put(AppConfig.RateLimit.DEFAULT, RateLimiter.bucket(s, AppConfig.RateLimit.DEFAULT));
      }
      for (String policy : s.policies().keySet()) {
        made.put(policy, RateLimiter.bucket(s, policy));
      }
      return new Current(s, Map.copyOf(made));
    }

    RateLimitBuckets.Bucket bucket(String policy) {
      RateLimitBuckets.Bucket b = buckets.get(policy);
      return b != null ? b : RateLimiter.bucket(settings, policy);
    }
  }

  /** A limiter on a Redis client its owner keeps (the auth capability's). */
  public RateLimiter(Vertx vertx, RedisAPI redis, String keyPrefix, AppConfig.RateLimit initial) {
    this(vertx, redis, keyPrefix, initial, null);
  }

  /** A limiter with a Redis client of its own, closed with it: for the transports, which hold none. */
  public static RateLimiter create(Vertx vertx, AppConfig config, Backends backends) {
    Redis client = RedisClients.client(vertx, config.data().redis(), backends.redisUrl());
    return new RateLimiter(vertx, RedisAPI.api(client), config.data().redis().keyPrefix(),
        config.security().rateLimit(), client);
  }

  private RateLimiter(Vertx vertx, RedisAPI redis, String keyPrefix, AppConfig.RateLimit initial, Redis ownClient) {
    this.ownClient = ownClient;
    this.buckets = new RateLimitBuckets(redis, keyPrefix);
    this.current = Current.of(initial);
    MeterRegistry registry = Telemetry.registry(vertx);
    // every policy's series exists from the start, so rate() and alerts see the first refusal
    List<String> names = new ArrayList<>(List.of(AppConfig.RateLimit.DEFAULT));
    names.addAll(AppConfig.RateLimit.POLICIES.keySet());
    for (String name : names) {
      refused.put(name, Counter.builder(REFUSED_METER).description("requests refused by a rate-limit policy")
          .tag("policy", name).register(registry));
    }
    failedOpen = errors(registry, "allowed");
    failedClosed = errors(registry, "denied");
    reloads = vertx.eventBus().localConsumer(ConfigWatch.CHANGED, message -> reload(message.body()));
  }

  private static Counter errors(MeterRegistry registry, String outcome) {
    return Counter.builder(ERRORS_METER).description("limit decisions Redis could not make, by what on_redis_error did")
        .tag("outcome", outcome).register(registry);
  }

  /** The per-address subject: the address (IPv4) or its /64 (IPv6). */
  public static String ip(String clientIp) {
    return "ip:" + Addresses.clientKey(clientIp);
  }

  /** A login name as typed (already normalised by the caller); only its digest reaches Redis. */
  public static String account(String normalisedLoginName) {
    return "account:" + KeyDigest.of(normalisedLoginName);
  }

  /** An email address or phone number (normalised by the caller); only its digest reaches Redis. */
  public static String target(String normalisedTarget) {
    return "target:" + KeyDigest.of(normalisedTarget);
  }

  public boolean enabled() {
    return current.settings().enabled();
  }

  public AppConfig.RateLimit settings() {
    return current.settings();
  }

  /** Takes one unit from each named policy of {@code subject}, all or none. */
  public Future<Decision> check(String subject, String... policies) {
    Current now = current;
    AppConfig.RateLimit s = now.settings();
    if (!s.enabled() || policies.length == 0) {
      return Future.succeededFuture(Decision.UNLIMITED);
    }
    List<RateLimitBuckets.Bucket> wanted;
    if (policies.length == 1) {
      wanted = List.of(now.bucket(policies[0]));
    } else {
      wanted = new ArrayList<>(policies.length);
      for (String policy : policies) {
        wanted.add(now.bucket(policy));
      }
    }
    return buckets.take(subject, wanted)
        .timeout(s.redisTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .map(outcome -> decision(outcome, wanted))
        .recover(failure -> unanswered(s, failure))
        .onSuccess(d -> {
          if (!d.allowed()) {
            refused.get(d.policy()).increment();
          }
        });
  }

  /** As {@link #check}, failing with 429 RATE_LIMITED when refused. */
  public Future<Decision> enforce(String subject, String... policies) {
    return check(subject, policies).compose(d -> d.allowed() ? Future.succeededFuture(d) : Future.failedFuture(d.toError()));
  }

  public Future<Void> close() {
    Future<Void> unregistered = reloads.unregister();
    return ownClient == null ? unregistered : unregistered.eventually(ownClient::close);
  }

  private static RateLimitBuckets.Bucket bucket(AppConfig.RateLimit s, String policy) {
    if (AppConfig.RateLimit.DEFAULT.equals(policy)) {
      AppConfig.Rate rate = s.defaultRate();
      return new RateLimitBuckets.Bucket(policy, 1_000_000.0 / rate.requestsPerSecond(), rate.burst());
    }
    AppConfig.Policy p = s.policy(policy);
    return new RateLimitBuckets.Bucket(policy, p.per().toNanos() / 1000.0 / p.limit(), p.limit());
  }

  /** Refused: the refusing bucket. Allowed: the bucket with the fewest units left. */
  private static Decision decision(RateLimitBuckets.Outcome outcome, List<RateLimitBuckets.Bucket> wanted) {
    int index = outcome.refused();
    if (index < 0) {
      index = 0;
      for (int i = 1; i < wanted.size(); i++) {
        if (outcome.levels().get(i).remaining() < outcome.levels().get(index).remaining()) {
          index = i;
        }
      }
    }
    RateLimitBuckets.Bucket b = wanted.get(index);
    RateLimitBuckets.Level level = outcome.levels().get(index);
    long window = (long) Math.ceil(b.intervalMicros() * b.burst() / 1_000_000.0);
    long reset = (long) Math.ceil((outcome.allowed() ? level.nextMicros() : outcome.retryAfterMicros()) / 1_000_000.0);
    return new Decision(outcome.allowed(), b.policy(), b.burst(), Math.max(1, window), level.remaining(), reset);
  }

  private Future<Decision> unanswered(AppConfig.RateLimit s, Throwable failure) {
    long now = System.currentTimeMillis();
    long last = lastWarning.get();
    if (now - last >= WARN_EVERY_MS && lastWarning.compareAndSet(last, now)) {
      LOG.warn("rate limit undecided ({}), on_redis_error={}", failure.getMessage(), s.denyOnRedisError() ? "deny" : "allow");
    }
    if (s.denyOnRedisError()) {
      failedClosed.increment();
      return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE,
          "rate limiter unavailable, try again shortly"));
    }
    failedOpen.increment();
    return Future.succeededFuture(Decision.UNLIMITED);
  }

  private void reload(JsonObject change) {
    JsonObject section = change == null ? null : change.getJsonObject("rate_limit");
    if (section == null) {
      return;
    }
    try {
      current = Current.of(ConfigParser.rateLimit(section));
    } catch (InvalidConfigException e) {
      // ConfigWatch validated the whole file before publishing; this only guards against a stray message
      LOG.warn("rate limit change ignored: {}", e.violations());
    }
  }
}
