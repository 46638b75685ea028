package io.xredline.health;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;

/**
 * A heartbeat on one event loop: every {@link #INTERVAL_MS} it records how late its timer fired.
 * A blocked loop stops beating, so a stale heartbeat is how liveness sees a stuck loop; the worst
 * lag of the last {@link #WINDOW} ticks is kept, because after a block the missed ticks catch up
 * at once and the newest lag alone would already look healthy.
 */
public final class EventLoopProbe {
  static final String MAP = "xredline.health.event-loops";
  static final long INTERVAL_MS = 100;
  static final int WINDOW = 30;

  private final Vertx vertx;
  private final String key;
  private final long[] recent = new long[WINDOW];
  private int next;
  private long timerId = -1;
  private long expectedAt;

  private EventLoopProbe(Vertx vertx, String key) {
    this.vertx = vertx;
    this.key = key;
  }

  /** Call from a verticle's start(): the probe runs on that verticle's event loop. */
  public static EventLoopProbe start(Vertx vertx, String owner) {
    EventLoopProbe probe = new EventLoopProbe(vertx, owner + "@" + Thread.currentThread().getName() + "#" + System.identityHashCode(new Object()));
    probe.beat(0);
    probe.expectedAt = System.nanoTime() + INTERVAL_MS * 1_000_000;
    probe.timerId = vertx.setPeriodic(INTERVAL_MS, id -> probe.tick());
    return probe;
  }

  private void tick() {
    long now = System.nanoTime();
    long lagMs = Math.max(0, (now - expectedAt) / 1_000_000);
    expectedAt = now + INTERVAL_MS * 1_000_000;
    recent[next] = lagMs;
    next = (next + 1) % WINDOW;
    long worst = 0;
    for (long lag : recent) {
      worst = Math.max(worst, lag);
    }
    beat(worst);
  }

  private void beat(long worstRecentLagMs) {
    loops(vertx).put(key, new JsonObject().put("at", System.currentTimeMillis()).put("lag_ms", worstRecentLagMs));
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    loops(vertx).remove(key);
  }

  /** The worst delay over every probed loop: timer lag, or how stale a blocked loop's heartbeat is. */
  public static long maxDelayMs(Vertx vertx) {
    long now = System.currentTimeMillis();
    long worst = 0;
    for (JsonObject beat : loops(vertx).values()) {
      worst = Math.max(worst, Math.max(beat.getLong("lag_ms"), now - beat.getLong("at") - INTERVAL_MS));
    }
    return worst;
  }

  static LocalMap<String, JsonObject> loops(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
