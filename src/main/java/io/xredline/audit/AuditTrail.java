package io.xredline.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.xredline.observability.QueryMetrics;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The {@code operation_logs} table: batch inserts and the newest-first page query. */
final class AuditTrail {
  private static final String INSERT = "INSERT INTO operation_logs (occurred_at, kind, user_id, username, ip, request_id, "
      + "outcome, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
  private static final String PAGE = "SELECT id, occurred_at, kind, user_id, username, ip, request_id, outcome "
      + "FROM operation_logs "
      + "WHERE ($1::text IS NULL OR user_id::text = $1 OR lower(username) = lower($1)) "
      + "AND ($2::timestamptz IS NULL OR occurred_at >= $2) "
      + "AND ($3::timestamptz IS NULL OR occurred_at < $3) "
      + "AND ($4::bigint IS NULL OR id < $4) "
      + "ORDER BY id DESC LIMIT $5";

  private final Pool pool;
  private final QueryMetrics queries;

  AuditTrail(Pool pool, QueryMetrics queries) {
    this.pool = pool;
    this.queries = queries;
  }

  Future<Void> insert(List<AuditEvent> batch) {
    List<Tuple> rows = new ArrayList<>(batch.size());
    for (AuditEvent e : batch) {
      rows.add(Tuple.tuple().addValue(odt(e.at())).addString(e.kind()).addLong(e.userId()).addString(e.username())
          .addString(e.ip()).addString(e.requestId()).addString(e.outcome()).addValue(e.details()));
    }
    return queries.time("operation_logs.insert_batch", () -> pool.preparedQuery(INSERT).executeBatch(rows)).mapEmpty();
  }

  Future<AuditApi.Page> page(AuditApi.Query q) {
    Tuple params = Tuple.of(q.user(), odt(q.from()), odt(q.to()), q.before(), q.limit() + 1);
    return queries.time("operation_logs.page", () -> pool.preparedQuery(PAGE).execute(params)).map(rows -> {
      JsonArray items = new JsonArray();
      Long last = null;
      boolean more = false;
      for (Row row : rows) {
        if (items.size() == q.limit()) {
          more = true;
          break;
        }
        last = row.getLong("id");
        items.add(new JsonObject()
            .put("id", last)
            .put("at", row.getOffsetDateTime("occurred_at").toInstant().toString())
            .put("kind", row.getString("kind"))
            .put("user_id", row.getLong("user_id"))
            .put("username", row.getString("username"))
            .put("ip", row.getString("ip"))
            .put("request_id", row.getString("request_id"))
            .put("outcome", row.getString("outcome")));
      }
      return new AuditApi.Page(items, more && last != null ? String.valueOf(last) : null);
    });
  }

  private static OffsetDateTime odt(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
