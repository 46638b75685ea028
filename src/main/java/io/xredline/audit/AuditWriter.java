package io.xredline.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes captured events to the trail in batches. {@link #offer} may be called from any thread and
 * only queues (bounded: beyond {@link #CAPACITY} an event is dropped and counted); the writes run
 * on the owning verticle's context, one batch at a time. While PostgreSQL is down the batch is
 * retried with backoff and the queue grows; {@code xredline_audit_backlog} shows how far behind the
 * trail is.
 */
final class AuditWriter {
  private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
  static final int CAPACITY = 100_000;
  static final int BATCH = 500;
  static final long FLUSH_MS = 200;
  static final long MAX_BACKOFF_MS = 10_000;
  /** While stopping, retries come at most this far apart, so a short stop budget still gets several. */
  static final long STOP_MAX_BACKOFF_MS = 1_000;

  private final Vertx vertx;
  private final AuditTrail trail;
  private final Queue<AuditEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final Counter dropped;
  private List<AuditEvent> inFlight = List.of();
  private boolean writing;
  private long retryAt;
  private long backoffMs;
  private long flushTimer = -1;
  private boolean stopping;

  AuditWriter(Vertx vertx, AuditTrail trail, MeterRegistry registry) {
    this.vertx = vertx;
    this.trail = trail;
    Gauge.builder("xredline.audit.backlog", this, AuditWriter::backlog)
        .description("audit events received but not yet written to operation_logs").register(registry);
    dropped = Counter.builder("xredline.audit.dropped").description("audit events lost because the queue was full")
        .register(registry);
  }

  /** Call on the owning verticle's context. */
  void start() {
    flushTimer = vertx.setPeriodic(FLUSH_MS, id -> flush());
  }

  void offer(AuditEvent event) {
    if (queued.incrementAndGet() > CAPACITY) {
      queued.decrementAndGet();
      dropped.increment();
      LOG.error("audit queue full ({} events): event {} dropped", CAPACITY, event.kind());
    } else {
      queue.add(event);
    }
  }

  int backlog() {
    return queued.get() + inFlight.size();
  }

  /** Writes one batch at a time; a failed batch is kept and retried with backoff, never dropped. */
  private void flush() {
    if (writing || System.currentTimeMillis() < retryAt) {
      return;
    }
    if (inFlight.isEmpty()) {
      List<AuditEvent> batch = new ArrayList<>(BATCH);
      AuditEvent e;
      while (batch.size() < BATCH && (e = queue.poll()) != null) {
        queued.decrementAndGet();
        batch.add(e);
      }
      if (batch.isEmpty()) {
        return;
      }
      inFlight = batch;
    }
    writing = true;
    trail.insert(inFlight).onComplete(done -> {
      writing = false;
      if (backoffMs > 0) {
        LOG.info("audit trail writing again; {} events waiting", backlog() - inFlight.size());
      }
      inFlight = List.of();
      backoffMs = 0;
      retryAt = 0;
      if (!queue.isEmpty()) {
        flush();
      }
    }, failure -> {
      writing = false;
      backoffMs = backoffMs == 0 ? 250 : Math.min(stopping ? STOP_MAX_BACKOFF_MS : MAX_BACKOFF_MS, backoffMs * 2);
      retryAt = System.currentTimeMillis() + backoffMs;
      LOG.warn("audit batch of {} not written ({}); retrying in {} ms, backlog {}", inFlight.size(),
          failure.getMessage(), backoffMs, backlog());
    });
  }

  /**
   * Stops the timer and writes what is still queued, for at most {@code budgetMs}: one attempt at
   * once, whatever the backoff had reached, then retries with the backoff capped at
   * {@link #STOP_MAX_BACKOFF_MS}. (Retrying on every 20 ms poll of the drain had PostgreSQL being
   * down at shutdown write a warning line every 20 ms for the whole budget.)
   */
  Future<Void> stop(long budgetMs) {
    vertx.cancelTimer(flushTimer);
    stopping = true;
    retryAt = 0;
    long deadline = System.currentTimeMillis() + budgetMs;
    return drain(deadline).onComplete(done -> {
      if (backlog() > 0) {
        LOG.warn("stopped with {} audit events not written (lost: the queue is in memory)", backlog());
      }
    });
  }

  private Future<Void> drain(long deadline) {
    if (backlog() == 0 || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    if (!writing) {
      flush(); // waits out the backoff of a failed attempt itself
    }
    return Future.<Void>future(p -> vertx.setTimer(20, id -> p.complete())).compose(v -> drain(deadline));
  }
}
