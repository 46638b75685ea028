package io.xredline.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.xredline.bus.BusReplies;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.Database;
import io.xredline.observability.QueryMetrics;
import io.xredline.observability.RequestContext;
import io.xredline.observability.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Persists every auth event to {@code operation_logs} without ever slowing the sender: events are
 * taken from the bus by an outbound interceptor (any address under {@link AuditApi#EVENTS_PREFIX},
 * sent from this node, so a cluster stores each once), queued in a bounded in-memory queue and
 * written in batches. While PostgreSQL is down the batch is retried with backoff and the queue
 * grows; {@code xredline_audit_backlog} shows how far behind the trail is.
 */
public final class AuditVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuditVerticle.class);
  static final int CAPACITY = 100_000;
  static final int BATCH = 500;
  static final long FLUSH_MS = 200;
  static final long MAX_BACKOFF_MS = 10_000;
  static final long STOP_DRAIN_MS = 5_000;

  private final AppConfig config;
  private final Backends backends;
  private final Queue<AuditTrail.Event> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final Handler<DeliveryContext<Object>> capture = this::capture;
  private List<AuditTrail.Event> inFlight = List.of();
  private boolean writing;
  private long retryAt;
  private long backoffMs;
  private Counter dropped;
  private long flushTimer = -1;
  private Pool pool;
  private AuditTrail trail;

  public AuditVerticle(AppConfig config, Backends backends) {
    this.config = config;
    this.backends = backends;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.data().database(), backends.databaseUrl());
    trail = new AuditTrail(pool, QueryMetrics.of(vertx, config.data().database()));
    MeterRegistry registry = Telemetry.registry(vertx);
    Gauge.builder("xredline.audit.backlog", this, AuditVerticle::backlog)
        .description("audit events received but not yet written to operation_logs").register(registry);
    dropped = Counter.builder("xredline.audit.dropped").description("audit events lost because the queue was full")
        .register(registry);
    vertx.eventBus().addOutboundInterceptor(capture);
    flushTimer = vertx.setPeriodic(FLUSH_MS, id -> flush());
    return vertx.eventBus().<JsonObject>consumer(AuditApi.QUERY, this::query).completion();
  }

  /** On the sender's thread: parse and enqueue, nothing else. */
  private void capture(DeliveryContext<Object> delivery) {
    String address = delivery.message().address();
    if (address != null && address.startsWith(AuditApi.EVENTS_PREFIX)) {
      AuditTrail.Event event = toEvent(address.substring(AuditApi.EVENTS_PREFIX.length()), delivery.body(),
          delivery.message().headers().get(RequestContext.REQUEST_ID_HEADER));
      if (event == null) {
        LOG.warn("audit event on {} ignored: body is not a JSON object", address);
      } else if (queued.incrementAndGet() > CAPACITY) {
        queued.decrementAndGet();
        dropped.increment();
        LOG.error("audit queue full ({} events): event {} dropped", CAPACITY, event.kind());
      } else {
        queue.add(event);
      }
    }
    delivery.next();
  }

  static AuditTrail.Event toEvent(String kindFromAddress, Object body, String headerRequestId) {
    JsonObject json;
    if (body instanceof JsonObject object) {
      json = object;
    } else if (body instanceof String text) {
      try {
        json = new JsonObject(text);
      } catch (RuntimeException e) {
        return null;
      }
    } else {
      return null;
    }
    Instant at;
    try {
      at = json.getString("at") == null ? Instant.now() : Instant.parse(json.getString("at"));
    } catch (DateTimeParseException | ClassCastException e) {
      at = Instant.now();
    }
    Object userId = json.getValue("user_id");
    Long id = userId instanceof Number n ? n.longValue() : parseLong(userId);
    String kind = json.getValue("kind") instanceof String k && !k.isBlank() ? k : kindFromAddress;
    JsonObject details = json.copy();
    for (String known : new String[] {"at", "kind", "user_id", "username", "ip", "request_id", "outcome"}) {
      details.remove(known);
    }
    String requestId = json.getValue("request_id") instanceof String r ? r : headerRequestId;
    return new AuditTrail.Event(at, truncate(kind, 64), id, str(json, "username"), str(json, "ip"), requestId,
        str(json, "outcome"), details);
  }

  private static Long parseLong(Object value) {
    if (value instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String str(JsonObject json, String field) {
    return json.getValue(field) instanceof String s ? s : json.getValue(field) == null ? null : String.valueOf(json.getValue(field));
  }

  private static String truncate(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
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
      List<AuditTrail.Event> batch = new ArrayList<>(BATCH);
      AuditTrail.Event e;
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
      backoffMs = backoffMs == 0 ? 250 : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      retryAt = System.currentTimeMillis() + backoffMs;
      LOG.warn("audit batch of {} not written ({}); retrying in {} ms, backlog {}", inFlight.size(),
          failure.getMessage(), backoffMs, backlog());
    });
  }

  private void query(Message<JsonObject> message) {
    AuditApi.Query query;
    try {
      query = AuditApi.Query.fromJson(message.body());
    } catch (RuntimeException e) {
      BusReplies.fail(message, io.xredline.error.AppError.validation("query", "malformed audit query"));
      return;
    }
    BusReplies.reply(message, trail.page(query).map(AuditApi.Page::toJson)
        .recover(e -> Future.failedFuture(e instanceof io.xredline.error.AppError ? e
            : new io.xredline.error.AppError(io.xredline.error.Reason.SERVICE_UNAVAILABLE, "audit trail unavailable"))));
  }

  /** Writes what is still queued (bounded by {@link #STOP_DRAIN_MS}), then closes the pool. */
  @Override
  public Future<?> stop() {
    vertx.eventBus().removeOutboundInterceptor(capture);
    vertx.cancelTimer(flushTimer);
    long deadline = System.currentTimeMillis() + STOP_DRAIN_MS;
    return drain(deadline).eventually(() -> {
      if (backlog() > 0) {
        LOG.warn("stopped with {} audit events not written", backlog());
      }
      return pool == null ? Future.succeededFuture() : pool.close();
    });
  }

  private Future<Void> drain(long deadline) {
    if (backlog() == 0 || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    if (!writing) {
      retryAt = 0;
      flush();
    }
    return Future.<Void>future(p -> vertx.setTimer(20, id -> p.complete())).compose(v -> drain(deadline));
  }
}
