package io.xredline.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting for a condition instead of for an amount of time: the condition is polled until it holds
 * or a bound generous enough for a loaded two-core machine has passed. The bound only decides how
 * long a broken build takes to fail; a working one never gets near it.
 */
public final class Eventually {
  public static final Duration BOUND = Duration.ofSeconds(20);
  private static final long POLL_MS = 25;

  private Eventually() {
  }

  /** Fails with {@code what} when {@code condition} does not hold within {@link #BOUND}. */
  public static void await(String what, BooleanSupplier condition) {
    within(BOUND, what, condition);
  }

  /** For work that is long by nature (thousands of rows): a bound above {@link #BOUND}, said at the call. */
  public static void within(Duration bound, String what, BooleanSupplier condition) {
    value(bound, what, () -> condition.getAsBoolean(), Boolean::booleanValue);
  }

  /** The first value of {@code probe} that {@code accepted} takes, polled within {@link #BOUND}. */
  public static <T> T value(String what, Supplier<T> probe, Predicate<? super T> accepted) {
    return value(BOUND, what, probe, accepted);
  }

  private static <T> T value(Duration bound, String what, Supplier<T> probe, Predicate<? super T> accepted) {
    long deadline = System.nanoTime() + bound.toNanos();
    T last = probe.get();
    while (!accepted.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + bound.toSeconds() + " s: " + what + " (last seen: " + last + ")");
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
      last = probe.get();
    }
    return last;
  }
}
