package io.xredline.greeter;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.observability.QueryMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Greetings in PostgreSQL. */
final class GreetingStore {
  private static final Logger LOG = LoggerFactory.getLogger(GreetingStore.class);
  private final Pool pool;
  private final QueryMetrics queries;

  GreetingStore(Pool pool, QueryMetrics queries) {
    this.pool = pool;
    this.queries = queries;
  }

  Future<Void> record(String name, String transport, String requestId) {
    return queries.time("greetings.insert", () -> pool
            .preparedQuery("INSERT INTO greetings (name, transport, request_id) VALUES ($1, $2, $3)")
            .execute(Tuple.of(name, transport, requestId)))
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("greeting not recorded: {}", e.getMessage());
          return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE, "database unavailable"));
        });
  }
}
