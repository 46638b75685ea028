package io.xredline.auth;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.xredline.error.AppError;
import io.xredline.ratelimit.RateLimiter;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The named policies the capability applies, on real Redis, where no route exists yet to reach
 * them: {@code password_reset} is the hook {@code POST /api/v1/auth/password/forgot} (issue 10) calls.
 */
@DisplayName("auth limits: password_reset per target (the hook for issue 10), and no address means no per-address policy")
class AuthLimitsTest {
  private Vertx vertx;
  private Redis redis;
  private RateLimiter limiter;
  private AuthLimits limits;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, TestBackends.redisUrl());
    var config = TestApp.config(Map.of("data.database.url", "postgresql://unused@127.0.0.1:1/none",
        "data.redis.url", TestBackends.redisUrl(), "security.rate_limit.enabled", "true",
        "security.rate_limit.policies.register_ip.limit", "1"));
    limiter = new RateLimiter(vertx, RedisAPI.api(redis), TestBackends.freshKeyPrefix("authlimits"), config.security().rateLimit());
    limits = new AuthLimits(limiter);
  }

  @AfterEach
  void tearDown() {
    limiter.close();
    redis.close();
    vertx.close();
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("password_reset: 3 per hour per target (shipped default), the 4th → RATE_LIMITED; another target is not affected")
  void passwordReset() throws Exception {
    String target = CredentialRules.targetKey("Reset.Me@Example.com");
    for (int i = 0; i < 3; i++) {
      await(limits.passwordReset(target));
    }
    assertThatThrownBy(() -> await(limits.passwordReset(CredentialRules.targetKey("reset.me@example.com"))))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(AppError.class, e -> {
          assertThat(e.reason().name()).isEqualTo("RATE_LIMITED");
          assertThat(e.metadata().getString("policy")).isEqualTo("password_reset");
          assertThat(e.metadata().getLong("quota")).isEqualTo(3);
          assertThat(e.metadata().getLong("window_seconds")).isEqualTo(3600);
        });
    await(limits.passwordReset(CredentialRules.targetKey("+8613800000000")));
  }

  @Test
  @DisplayName("a origin without an address (the operator CLI) passes the per-address policies; one with an address does not twice")
  void perAddressNeedsAnAddress() throws Exception {
    AuthApi.Origin cli = new AuthApi.Origin("cli", null);
    for (int i = 0; i < 3; i++) {
      await(limits.register(cli));
    }
    AuthApi.Origin client = new AuthApi.Origin("r", "203.0.113.50");
    await(limits.register(client));
    assertThatThrownBy(() -> await(limits.register(client))).cause().isInstanceOf(AppError.class);
  }
}
