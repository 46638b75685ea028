package io.xredline.health;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.LoopAffinity;

import java.util.Locale;

/**
 * The health capability's bus contract. Both addresses are node-local: a probe asks about the
 * process it reached, never about a cluster peer.
 */
public final class HealthApi {
  public static final String QUERY = "xredline.health.query";
  public static final String LIFECYCLE = "xredline.health.lifecycle";
  /**
   * Published by the health verticle once it has applied a lifecycle phase: the signal to sample
   * again. Its own address, not a second consumer on {@link #LIFECYCLE}: a sampler there could
   * query before the phase is applied, and Vert.x's metrics re-register an address's handler gauge
   * for each extra consumer, which Micrometer warns about at every start.
   */
  public static final String CHANGED = "xredline.health.changed";

  private HealthApi() {
  }

  public enum Probe {
    LIVE, READY, STARTUP, ALL;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Start-up and shutdown milestones the launcher reports; readiness and startup follow them. */
  public enum Phase {
    MIGRATED, STARTED, DRAINING
  }

  /**
   * Reply header: the {@code System.nanoTime()} until which the health verticle answers this probe
   * from its cache ({@code monitoring.health.cache_ttl}). Queries never leave the process, so the
   * clock is the asker's too: it may answer the same probe from the same report until then.
   */
  public static final String FRESH_UNTIL_HEADER = "xredline-fresh-until-ns";

  /** The report body: {@code {status, checks:[{id,status,data}], outcome}}. */
  public record Report(boolean up, JsonObject body) {
    public static Report fromJson(JsonObject json) {
      return new Report("UP".equals(json.getString("status")), json);
    }
  }

  /** A report and how long the health verticle's cache keeps it ({@link #FRESH_UNTIL_HEADER}). */
  public record Answer(Report report, long freshUntilNs) {
    public boolean freshAt(long nanoTime) {
      return nanoTime - freshUntilNs < 0;
    }
  }

  /**
   * How long a transport waits for the health verticle: it bounds every check by check_timeout
   * itself, so this only guards against the verticle not answering at all (a cold JVM needs slack).
   */
  public static long transportTimeoutMs(java.time.Duration checkTimeout) {
    return checkTimeout.toMillis() + 2000;
  }

  public static Future<Report> query(EventBus bus, Probe probe, long timeoutMs) {
    return answer(bus, probe, timeoutMs).map(Answer::report);
  }

  /** {@link #query}, with how long the answer stands. */
  public static Future<Answer> answer(EventBus bus, Probe probe, long timeoutMs) {
    return LoopAffinity.<JsonObject>request(bus, QUERY, new JsonObject().put("probe", probe.wire()),
            new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true))
        .map(reply -> {
          String until = reply.headers().get(FRESH_UNTIL_HEADER);
          // without the header (an older verticle) the answer stands for no time at all
          long freshUntil = until == null ? System.nanoTime() : Long.parseLong(until);
          return new Answer(Report.fromJson(reply.body()), freshUntil);
        });
  }

  public static void report(EventBus bus, Phase phase) {
    bus.publish(LIFECYCLE, new JsonObject().put("phase", phase.name()), new DeliveryOptions().setLocalOnly(true));
  }

  /** What a transport answers when the health verticle itself did not answer. */
  public static Report unanswered(Throwable cause) {
    JsonObject check = new JsonObject().put("id", "health").put("status", "DOWN")
        .put("data", new JsonObject().put("error", "health checks did not answer: " + cause.getMessage()));
    return new Report(false, new JsonObject().put("status", "DOWN")
        .put("checks", new io.vertx.core.json.JsonArray().add(check)).put("outcome", "DOWN"));
  }
}
