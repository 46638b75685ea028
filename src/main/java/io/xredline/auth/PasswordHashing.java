package io.xredline.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.xredline.config.AppConfig;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.lang.ref.SoftReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * argon2id in PHC string form ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}). Every hash runs
 * on the dedicated worker pool, never on an event loop, and its digest is computed at a lower CPU
 * priority than the event loops run at ({@link HashingPriority}).
 */
public final class PasswordHashing implements AutoCloseable {
  public static final String POOL_NAME = "xredline-argon2";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Cost parameters of one hash. */
  public record Params(int memoryKib, int iterations, int parallelism) {
    static Params of(AppConfig.Password config) {
      return new Params(config.memoryKib(), config.iterations(), config.parallelism());
    }
  }

  /** The outcome of a check: whether it matched and whether the stored hash uses other parameters. */
  public record Check(boolean matches, boolean needsRehash) {
  }

  /** Counts every verification, dummy ones included: how a test proves how many guesses a burst got evaluated. */
  static final String VERIFICATIONS = "xredline.auth.password.verifications";

  private final Params params;
  private final WorkerExecutor workers;
  private final HashingPriority priority;
  private final Counter verifications;

  public PasswordHashing(AppConfig.Password config, WorkerExecutor workers, MeterRegistry registry) {
    this.params = Params.of(config);
    this.workers = workers;
    this.priority = new HashingPriority(config.hashingNice(), config.hashingPoolSize());
    this.verifications = Counter.builder(VERIFICATIONS).description("argon2id password verifications")
        .register(registry);
  }

  public Params params() {
    return params;
  }

  /** Lets go of the digest threads (the last holder stops them); the worker pool is the caller's to close. */
  @Override
  public void close() {
    priority.close();
  }

  public Future<String> hash(String password) {
    return workers.executeBlocking(() -> priority.run(() -> hashNow(password, params)), false);
  }

  public Future<Check> verify(String password, String phc) {
    return workers.executeBlocking(() -> {
      verifications.increment();
      boolean ok = priority.run(() -> verifyNow(password, phc));
      return new Check(ok, ok && !params.equals(paramsOf(phc)));
    }, false);
  }

  public static String hashNow(String password, Params p) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return hashWith(password, salt, p);
  }

  /** The PHC string of {@code password} with this salt (tests compare it with other implementations). */
  static String hashWith(String password, byte[] salt, Params p) {
    return phc(p, salt, derive(password, salt, p, HASH_BYTES));
  }

  /**
   * What an unknown account is checked against, so that it costs what a real account costs: the
   * configured parameters, a random salt and a random digest. Verifying derives a digest exactly
   * as for a stored hash (same parameters, same length), and nothing matches it, since no password
   * is known to give that digest. Built without hashing, so start-up does not pay for one.
   */
  public String decoy() {
    byte[] salt = new byte[SALT_BYTES];
    byte[] digest = new byte[HASH_BYTES];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(digest);
    return phc(params, salt, digest);
  }

  static String phc(Params p, byte[] salt, byte[] hash) {
    return "$argon2id$v=19$m=" + p.memoryKib() + ",t=" + p.iterations() + ",p=" + p.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /** A malformed stored string never matches (and never throws). */
  public static boolean verifyNow(String password, String phc) {
    Parsed parsed = parse(phc);
    if (parsed == null) {
      return false;
    }
    byte[] actual = derive(password, parsed.salt, parsed.params, parsed.hash.length);
    return MessageDigest.isEqual(actual, parsed.hash);
  }

  static Params paramsOf(String phc) {
    Parsed parsed = parse(phc);
    return parsed == null ? null : parsed.params;
  }

  private record Parsed(Params params, byte[] salt, byte[] hash) {
  }

  private static Parsed parse(String phc) {
    if (phc == null) {
      return null;
    }
    String[] parts = phc.split("\\$");
    // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      return null;
    }
    try {
      int m = 0;
      int t = 0;
      int p = 0;
      for (String kv : parts[3].split(",")) {
        String[] pair = kv.split("=", 2);
        int value = Integer.parseInt(pair[1]);
        switch (pair[0]) {
          case "m" -> m = value;
          case "t" -> t = value;
          case "p" -> p = value;
          default -> {
            return null;
          }
        }
      }
      byte[] salt = B64D.decode(parts[4]);
      byte[] hash = B64D.decode(parts[5]);
      if (m < 8 || t < 1 || p < 1 || salt.length < 8 || hash.length < 16) {
        return null;
      }
      return new Parsed(new Params(m, t, p), salt, hash);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static byte[] derive(String password, byte[] salt, Params p, int length) {
    Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(p.memoryKib())
        .withIterations(p.iterations())
        .withParallelism(p.parallelism())
        .withSalt(salt)
        .build();
    byte[] out = new byte[length];
    byte[] secret = password.getBytes(StandardCharsets.UTF_8);
    try {
      Generators.derive(p, parameters, secret, out);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    return out;
  }

  /**
   * A generator per hashing thread and cost, its memory kept for the next hash. BouncyCastle's
   * {@code init} allocates a hash's whole memory (19 MiB at the default cost, as 19,456 blocks)
   * before the first is filled, so every collection during a hash copied all of it: in a 256 MiB
   * container under sign-ins the serial collector paused for a quarter of the wall time, mostly in
   * full collections of promoted blocks (bench/README.md, phase 11). A hash writes every block
   * before it reads one (no block is XORed in the first pass) and BouncyCastle zeroes the memory
   * when the hash ends, so a hash on reused memory is the hash on fresh memory, and no secret is
   * left in it. BouncyCastle has no way to give an initialised generator another salt, so its
   * {@code parameters} field is set; where that field is not there (another version), every hash
   * gets a fresh generator as before. The memory is held softly: a thread that stops hashing lets
   * the collector take it back.
   */
  static final class Generators {
    /** BouncyCastle's {@code Argon2BytesGenerator.parameters}, or null when it cannot be set. */
    private static final Field PARAMETERS = parametersField();
    private static final ThreadLocal<SoftReference<Kept>> KEPT = new ThreadLocal<>();

    private record Kept(Params params, Argon2BytesGenerator generator) {
    }

    private Generators() {
    }

    static boolean reusing() {
      return PARAMETERS != null;
    }

    static void derive(Params p, Argon2Parameters parameters, byte[] secret, byte[] out) {
      if (PARAMETERS == null) {
        fresh(parameters).generateBytes(secret, out);
        return;
      }
      SoftReference<Kept> ref = KEPT.get();
      Kept kept = ref == null ? null : ref.get();
      if (kept == null || !kept.params().equals(p)) {
        kept = new Kept(p, fresh(parameters));
        KEPT.set(new SoftReference<>(kept));
      } else {
        try {
          PARAMETERS.set(kept.generator(), parameters);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("argon2id parameters not settable", e);
        }
      }
      try {
        kept.generator().generateBytes(secret, out);
      } catch (RuntimeException | Error e) {
        // a hash that threw leaves no half-done generator behind for the next one
        KEPT.remove();
        throw e;
      }
    }

    private static Argon2BytesGenerator fresh(Argon2Parameters parameters) {
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(parameters);
      return generator;
    }

    private static Field parametersField() {
      try {
        Field field = Argon2BytesGenerator.class.getDeclaredField("parameters");
        if (field.getType() != Argon2Parameters.class || Modifier.isStatic(field.getModifiers())
            || Modifier.isFinal(field.getModifiers())) {
          return null;
        }
        field.setAccessible(true);
        return field;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }
}
