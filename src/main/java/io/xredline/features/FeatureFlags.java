package io.xredline.features;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.xredline.config.ConfigWatch;
import io.xredline.config.FeatureFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The flag definitions in force and their evaluation for one caller. A caller named in
 * {@code users} (by id or username) or holding one of {@code roles} gets the flag; everyone else
 * gets it when {@code bucket(name, user id) < percent} — a stable hash, so raising the percentage
 * only ever adds callers. A caller with no account (registering, signing in) has no bucket and
 * gets a partly rolled-out flag only at 100%. A disabled flag is off for everyone.
 * {@link #watching} follows hot reloads ({@link ConfigWatch#CHANGED}); reads are lock-free.
 * Not OpenFeature's SDK: its {@code OpenFeatureAPI} is one provider registry per JVM, while one
 * JVM here (tests, benches) runs several service instances with flags of their own, and the
 * rules (percent, users, roles) would be this class either way.
 */
public final class FeatureFlags {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureFlags.class);

  /** Who asks. {@code userId} null: not signed in. */
  public record Caller(String userId, String username, Set<String> roles) {
    public static final Caller ANONYMOUS = new Caller(null, null, Set.of());

    public Caller {
      roles = roles == null ? Set.of() : Set.copyOf(roles);
    }
  }

  private volatile Map<String, FeatureFlag> flags;
  private MessageConsumer<JsonObject> reloads;

  public FeatureFlags(JsonObject definitions) {
    this.flags = parse(definitions);
  }

  /** Definitions from {@code initial}, then from every applied reload, delivered on the calling verticle's context. */
  public static FeatureFlags watching(Vertx vertx, JsonObject initial) {
    FeatureFlags flags = new FeatureFlags(initial);
    flags.reloads = vertx.eventBus().localConsumer(ConfigWatch.CHANGED, message -> {
      JsonObject features = message.body() == null ? null : message.body().getJsonObject("features");
      flags.flags = parse(features);
    });
    return flags;
  }

  public void close() {
    if (reloads != null) {
      reloads.unregister();
    }
  }

  /** Whether {@code name} is on for {@code caller}; {@code fallback} when no flag of that name is defined. */
  public boolean enabled(String name, Caller caller, boolean fallback) {
    FeatureFlag flag = flags.get(name);
    return flag == null ? fallback : evaluate(flag, caller);
  }

  public boolean defined(String name) {
    return flags.containsKey(name);
  }

  /** Every defined flag's answer for {@code caller}, in definition order. */
  public Map<String, Boolean> evaluateAll(Caller caller) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    flags.values().forEach(flag -> out.put(flag.name(), evaluate(flag, caller)));
    return out;
  }

  public Map<String, FeatureFlag> definitions() {
    return flags;
  }

  static boolean evaluate(FeatureFlag flag, Caller caller) {
    if (!flag.enabled()) {
      return false;
    }
    if (caller.userId() != null && (flag.users().contains(caller.userId())
        || (caller.username() != null && flag.users().contains(caller.username())))) {
      return true;
    }
    if (caller.roles().stream().anyMatch(flag.roles()::contains)) {
      return true;
    }
    if (flag.percent() >= 100) {
      return true;
    }
    return caller.userId() != null && bucket(flag.name(), caller.userId()) < flag.percent();
  }

  /** 0–99, fixed for a (flag, user) pair: the first 8 bytes of SHA-256(name ":" user id), unsigned, mod 100. */
  static int bucket(String flagName, String userId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((flagName + ":" + userId).getBytes(StandardCharsets.UTF_8));
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (digest[i] & 0xff);
      }
      return (int) Long.remainderUnsigned(value, 100);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static Map<String, FeatureFlag> parse(JsonObject definitions) {
    // the configuration was validated as a whole before it was published; a stray bad entry is skipped
    return Collections.unmodifiableMap(FeatureFlag.parseAll(definitions,
        (key, problem) -> LOG.warn("feature flag features.{} ignored: {}", key, problem)));
  }
}
