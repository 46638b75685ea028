package io.xredline.audit;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("An auth event off the bus becomes one operation_logs row, leniently")
class AuditEventTest {

  @Test
  @DisplayName("the known fields fill the columns; anything else is kept in details")
  void columnsAndDetails() {
    AuditEvent event = AuditEvent.parse("login_failure", new JsonObject().put("kind", "login_failure").put("user_id", 7)
        .put("username", "alice").put("ip", "10.0.0.7").put("request_id", "rid-1").put("outcome", "INVALID_CREDENTIALS")
        .put("at", "2030-01-01T00:00:00Z").put("attempt", 3), "rid-header");
    assertThat(event).isEqualTo(new AuditEvent(Instant.parse("2030-01-01T00:00:00Z"), "login_failure", 7L, "alice",
        "10.0.0.7", "rid-1", "INVALID_CREDENTIALS", new JsonObject().put("attempt", 3)));
  }

  @Test
  @DisplayName("a missing kind comes from the address, a missing request id from the bus header, a text body is read as JSON")
  void fallbacks() {
    AuditEvent event = AuditEvent.parse("logout", "{\"user_id\":\"42\",\"at\":\"not a time\"}", "rid-header");
    assertThat(event.kind()).isEqualTo("logout");
    assertThat(event.requestId()).isEqualTo("rid-header");
    assertThat(event.userId()).isEqualTo(42L);
    assertThat(event.at()).isNotNull();
    assertThat(AuditEvent.parse("x", new JsonObject().put("kind", "k".repeat(100)), null).kind()).hasSize(AuditEvent.MAX_KIND);
  }

  @Test
  @DisplayName("a body that is not a JSON object is no event")
  void notJson() {
    assertThat(AuditEvent.parse("login", "not json", null)).isNull();
    assertThat(AuditEvent.parse("login", 17, null)).isNull();
  }
}
