package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.OpenApiContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("the audit event kinds openapi.yaml lists are exactly the kinds auth publishes")
class AuditKindsTest {
  @Test
  @DisplayName("AuditEvent.kind enum = AuthEvents.Kind")
  void kindsAgree() {
    JsonObject kind = OpenApiContract.get().document().getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("AuditEvent").getJsonObject("properties").getJsonObject("kind");
    assertThat(kind.getJsonArray("enum").getList()).containsExactlyInAnyOrderElementsOf(Arrays.stream(AuthEvents.Kind.values())
        .map(k -> k.address.substring(AuthApi.EVENTS_PREFIX.length())).toList());
  }
}
