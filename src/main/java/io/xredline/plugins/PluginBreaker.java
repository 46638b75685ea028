package io.xredline.plugins;

import java.time.Duration;

/**
 * The sandbox's circuit breaker for one plugin: {@code maxFailures} failed hook calls in a row
 * open it (the plugin is skipped) for {@code coolDown}; then one call is let through (half open)
 * and its outcome closes or re-opens it. Used only on the host's context: no locking.
 */
final class PluginBreaker {
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final int maxFailures;
  private final long coolDownNanos;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long totalFailures;
  private long openedAt;
  private boolean trialInFlight;

  PluginBreaker(int maxFailures, Duration coolDown) {
    this.maxFailures = maxFailures;
    this.coolDownNanos = coolDown.toNanos();
  }

  /** Whether a call may go to the plugin now; moves an expired open breaker to half open (one trial). */
  boolean allows(long nowNanos) {
    if (state == State.OPEN && nowNanos - openedAt >= coolDownNanos) {
      state = State.HALF_OPEN;
      trialInFlight = false;
    }
    if (state == State.HALF_OPEN) {
      if (trialInFlight) {
        return false;
      }
      trialInFlight = true;
      return true;
    }
    return state == State.CLOSED;
  }

  void succeeded() {
    consecutiveFailures = 0;
    state = State.CLOSED;
    trialInFlight = false;
  }

  void failed(long nowNanos) {
    consecutiveFailures++;
    totalFailures++;
    trialInFlight = false;
    if (state == State.HALF_OPEN || consecutiveFailures >= maxFailures) {
      state = State.OPEN;
      openedAt = nowNanos;
    }
  }

  /** As listed: an open breaker whose cool-down is over shows as half open. */
  State state(long nowNanos) {
    return state == State.OPEN && nowNanos - openedAt >= coolDownNanos ? State.HALF_OPEN : state;
  }

  int consecutiveFailures() {
    return consecutiveFailures;
  }

  long totalFailures() {
    return totalFailures;
  }
}
