package io.xredline.bus;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What a transport makes of a bus request that failed")
class BusRepliesTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static AppError failure(String address, long timeoutMs) throws Exception {
    Throwable cause = vertx.eventBus().request(address, new JsonObject(), BusReplies.withRequestId("rid", timeoutMs))
        .map(reply -> (Throwable) null).otherwise(e -> e)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return BusReplies.toAppError(cause);
  }

  @Test
  @DisplayName("no capability listening → 503 SERVICE_UNAVAILABLE, never a 500")
  void noHandlers() throws Exception {
    AppError error = failure("test.nobody.listens", 1_000);
    assertThat(error.reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
    assertThat(error.status()).isEqualTo(503);
  }

  @Test
  @DisplayName("a capability that does not answer in time → 503 SERVICE_UNAVAILABLE")
  void timeout() throws Exception {
    vertx.eventBus().consumer("test.silent", msg -> { }).completion().toCompletionStage().toCompletableFuture().get();
    assertThat(failure("test.silent", 200).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
  }

  @Test
  @DisplayName("a capability's own error arrives intact; anything else leaves as a bare INTERNAL")
  void capabilityErrors() throws Exception {
    vertx.eventBus().consumer("test.refuses", msg -> BusReplies.fail(msg,
        new AppError(Reason.USER_EXISTS, "taken", new JsonObject().put("field", "username"))))
        .completion().toCompletionStage().toCompletableFuture().get();
    vertx.eventBus().consumer("test.crashes", msg -> BusReplies.fail(msg, new IllegalStateException("secret internals")))
        .completion().toCompletionStage().toCompletableFuture().get();
    AppError refused = failure("test.refuses", 1_000);
    assertThat(refused.reason()).isEqualTo(Reason.USER_EXISTS);
    assertThat(refused.getMessage()).isEqualTo("taken");
    assertThat(refused.metadata().getString("field")).isEqualTo("username");
    AppError crashed = failure("test.crashes", 1_000);
    assertThat(crashed.reason()).isEqualTo(Reason.INTERNAL);
    assertThat(crashed.getMessage()).doesNotContain("secret");
  }
}
