package io.xredline.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.xredline.config.AppConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times named SQL queries ({@code xredline_db_query_seconds{query}}) and counts those slower than
 * {@code data.database.slow_query_threshold} ({@code xredline_db_slow_queries_total{query}}),
 * logging each slow one by name. Parameters are never seen here, so they cannot leak.
 */
public final class QueryMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(QueryMetrics.class);
  static final String TIMER = "xredline.db.query";
  static final String SLOW = "xredline.db.slow.queries";

  private final MeterRegistry registry;
  private final Duration slowThreshold;
  /** Per query name (a fixed set): resolved once, not looked up in the registry on every query. */
  private final ConcurrentMap<String, Meters> meters = new ConcurrentHashMap<>();

  private record Meters(Timer timer, Counter slow) {
  }

  public QueryMetrics(MeterRegistry registry, Duration slowThreshold) {
    this.registry = registry;
    this.slowThreshold = slowThreshold;
  }

  public static QueryMetrics of(Vertx vertx, AppConfig.Database config) {
    return new QueryMetrics(Telemetry.registry(vertx), config.slowQueryThreshold());
  }

  /** {@code query} is a fixed name such as {@code greetings.insert}: it becomes a label value. */
  public <T> Future<T> time(String query, Supplier<Future<T>> run) {
    Meters m = meters.computeIfAbsent(query, this::register);
    long begin = System.nanoTime();
    Future<T> started;
    try {
      started = Objects.requireNonNull(run.get(), "the query gave no future");
    } catch (RuntimeException e) {
      // a query that throws before it starts is a failed one
      started = Future.failedFuture(e);
    }
    return started.andThen(ar -> {
      long nanos = System.nanoTime() - begin;
      m.timer().record(nanos, TimeUnit.NANOSECONDS);
      if (nanos >= slowThreshold.toNanos()) {
        m.slow().increment();
        LOG.warn("slow query {}: {} ms (threshold {} ms)", query, nanos / 1_000_000, slowThreshold.toMillis());
      }
    });
  }

  private Meters register(String query) {
    return new Meters(
        Timer.builder(TIMER).description("SQL query time by named query").tag("query", query).register(registry),
        Counter.builder(SLOW).description("SQL queries slower than data.database.slow_query_threshold")
            .tag("query", query).register(registry));
  }
}
