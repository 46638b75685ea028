package io.xredline.auth.store;

import io.xredline.data.RedisScripts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.xredline.config.AppConfig;
import io.xredline.data.CacheLookups;
import io.xredline.data.RedisClients;
import io.xredline.error.AppError;
import io.xredline.testing.OnRedisTopology;
import io.xredline.testing.RedisTopology;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("e2e")
@ExtendWith(OnRedisTopology.Cluster.class)
@DisplayName("every auth script runs on a real 3-master Redis Cluster: one slot per call, users spread, EVALSHA with NOSCRIPT fallback")
class ScriptsOnRedisClusterTest {
  private static Vertx vertx;
  private static Redis redis;
  private static RedisAPI api;
  private static RedisKeys keys;
  private static RedisTopology cluster;

  @BeforeAll
  static void connect(RedisTopology topology) {
    cluster = topology;
    Map<String, String> overrides = new HashMap<>(TestBackends.redisOverrides());
    overrides.put("data.redis.key_prefix", TestBackends.freshKeyPrefix("scripts"));
    AppConfig.Redis config = TestApp.config(overrides).data().redis();
    assertThat(config.mode()).isEqualTo(AppConfig.RedisMode.CLUSTER);
    vertx = Vertx.vertx();
    redis = RedisClients.client(vertx, config, null);
    api = RedisAPI.api(redis);
    keys = new RedisKeys(config.keyPrefix());
  }

  @AfterAll
  static void close() {
    redis.close();
    vertx.close();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("captcha: create, a wrong answer, the right one consumes it")
  void captcha() {
    CaptchaStore store = new CaptchaStore(new AuthRedis(api, keys, CacheLookups.of(vertx, "")));
    await(store.create("c-" + System.nanoTime(), "ABC123", Duration.ofMinutes(1), null));
    String id = "c-" + System.nanoTime();
    await(store.create(id, "ABC123", Duration.ofMinutes(1), null));
    assertThat(await(store.check(id, "XXXXXX", 5, null))).isEqualTo(CaptchaStore.Outcome.WRONG);
    assertThat(await(store.check(id, "ABC123", 5, null))).isEqualTo(CaptchaStore.Outcome.OK);
    assertThat(await(store.check(id, "ABC123", 5, null))).isEqualTo(CaptchaStore.Outcome.EXPIRED);
  }

  @Test
  @DisplayName("lockout: reserved attempts fail and lock the pair at the limit, state reads, unlock clears (all keys of one account share a slot)")
  void lockout() {
    LoginAttempts attempts = new LoginAttempts(api, keys, 3, Duration.ofMinutes(1), Duration.ofMinutes(5), 100,
        Duration.ofDays(1), Duration.ofSeconds(30));
    String account = RedisKeys.account(4242);
    LoginAttempts.Attempt attempt = new LoginAttempts.Attempt(account, RedisKeys.digest("alice|10.0.0.1"), true);
    for (int i = 1; i <= 2; i++) {
      LoginAttempts.Reservation reservation = await(attempts.reserve(attempt));
      assertThat(reservation.verdict()).isEqualTo(LoginAttempts.Verdict.RESERVED);
      LoginAttempts.Failure failure = await(attempts.fail(attempt, reservation));
      assertThat(failure.failures()).isEqualTo(i);
      assertThat(failure.locked()).isFalse();
    }
    LoginAttempts.Failure locking = await(attempts.fail(attempt, await(attempts.reserve(attempt))));
    assertThat(locking.lockedNow()).isTrue();
    assertThat(await(attempts.reserve(attempt)).verdict()).isEqualTo(LoginAttempts.Verdict.LOCKED);
    LoginAttempts.AccountState state = await(attempts.state(account));
    assertThat(state.failures()).isEqualTo(3);
    assertThat(state.lockedPairs()).isEqualTo(1);
    assertThat(await(attempts.unlockAccount(account))).isEqualTo(1);
    assertThat(await(attempts.state(account)).lockedPairs()).isZero();
    assertThat(await(attempts.reserve(attempt)).verdict()).isEqualTo(LoginAttempts.Verdict.RESERVED);
  }

  @Test
  @DisplayName("sessions: create, rotate, reuse revokes, access checks with the deny-list, list, revoke, revoke all but one, revoke-all, disable")
  void sessions() {
    TokenFamilies families = new TokenFamilies(new AuthRedis(api, keys, CacheLookups.of(vertx, "")));
    long user = 777;
    await(families.create("fam-a", user, "jti-1", 60_000, "10.0.0.1", "test-agent"));
    await(families.create("fam-b", user, "jti-x", 60_000, "10.0.0.1", "test-agent"));
    assertThat(await(families.rotate(user, "fam-a", "jti-1", "jti-2")).outcome()).isEqualTo(TokenFamilies.Rotation.ROTATED);
    assertThat(await(families.rotate(user, "fam-a", "jti-1", "jti-3")).outcome()).isEqualTo(TokenFamilies.Rotation.REUSED);
    assertThat(await(families.checkAccess(user, "acc-1", "fam-a"))).isEqualTo(TokenFamilies.Access.REVOKED);
    assertThat(await(families.checkAccess(user, "acc-2", "fam-b"))).isEqualTo(TokenFamilies.Access.OK);
    await(families.deny(user, "acc-2", 60_000));
    assertThat(await(families.checkAccess(user, "acc-2", "fam-b"))).isEqualTo(TokenFamilies.Access.DENIED);
    await(families.create("fam-c", user, "jti-c", 60_000, "10.0.0.1", "test-agent"));
    await(families.revoke(user, "fam-c"));
    assertThat(await(families.rotate(user, "fam-c", "jti-c", "jti-d")).outcome()).isEqualTo(TokenFamilies.Rotation.REVOKED);
    await(families.create("fam-d", user, "jti-e", 60_000, "10.0.0.1", "test-agent"));
    assertThat(await(families.list(user))).extracting(TokenFamilies.Session::familyId).containsExactlyInAnyOrder("fam-b", "fam-d");
    assertThat(await(families.revokeAllBut(user, "fam-d"))).isEqualTo(3);
    assertThat(await(families.checkAccess(user, "acc-3", "fam-d"))).isEqualTo(TokenFamilies.Access.OK);
    assertThat(await(families.revokeAll(user))).isEqualTo(4);
    assertThat(await(families.checkAccess(user, "acc-3", "fam-d"))).isEqualTo(TokenFamilies.Access.REVOKED);
    await(families.create("fam-e", user, "jti-f", 60_000, null, null));
    assertThat(await(families.disable(user))).isEqualTo(5);
    assertThat(await(families.checkAccess(user, "acc-4", "fam-e"))).isEqualTo(TokenFamilies.Access.DISABLED);
    await(families.enable(user));
    assertThat(await(families.checkAccess(user, "acc-4", "fam-e"))).isEqualTo(TokenFamilies.Access.REVOKED);
  }

  @Test
  @DisplayName("TOTP replay guard: a step works once, never an older one")
  void totpReplay() {
    TotpReplayGuard guard = new TotpReplayGuard(api, keys);
    assertThat(await(guard.spend(99, 1000))).isTrue();
    assertThat(await(guard.spend(99, 1000))).isFalse();
    assertThat(await(guard.spend(99, 999))).isFalse();
    assertThat(await(guard.spend(99, 1001))).isTrue();
  }

  @Test
  @DisplayName("the keys one script touches share a slot; 30 accounts spread over all three masters")
  void slots() {
    RedisTopology.Node any = cluster.dataNodes().get(0);
    Set<String> masters = new HashSet<>();
    for (long id = 1; id <= 30; id++) {
      String account = RedisKeys.account(id);
      // each script touches one of these groups: the sign-in identity's lockout keys, the user's session keys
      List<List<String>> groups = List.of(
          List.of(keys.login(account, "failures"), keys.login(account, "locked"), keys.login(account, "pending"),
              keys.login(account, "locked-pairs"), keys.login(account, "pair:p1:lock"), keys.login(account, "pair:p1:failures")),
          List.of(keys.family(id, "f1"), keys.family(id, "f2"), keys.userFamilies(id), keys.denied(id, "j1"),
              keys.totpLastStep(id), keys.disabled(id)));
      for (List<String> group : groups) {
        Set<String> slots = new HashSet<>();
        group.forEach(k -> slots.add(any.cli("CLUSTER", "KEYSLOT", k)));
        assertThat(slots).as("slots of %s", group).hasSize(1);
      }
      masters.add(cluster.masterOf(keys.login(account, "failures")).address());
    }
    assertThat(masters).hasSize(3);
  }

  @Test
  @DisplayName("the cluster refuses a script over keys of two slots (what the untagged keys did): the check above can fail")
  void crossSlotIsRefused() {
    String a = keys.prefix() + "auth:login:u1:failures";
    String b = keys.prefix() + "auth:login:u1:locked";
    assertThat(cluster.dataNodes().get(0).cli("CLUSTER", "KEYSLOT", a))
        .isNotEqualTo(cluster.dataNodes().get(0).cli("CLUSTER", "KEYSLOT", b));
    assertThatThrownBy(() -> await(RedisScripts.eval(api, "return redis.call('EXISTS', KEYS[1], KEYS[2])", List.of(a, b))))
        .isInstanceOf(AppError.class);
  }

  @Test
  @DisplayName("calls go out as EVALSHA; a master without the script answers NOSCRIPT and gets it once through EVAL")
  void evalshaWithNoScriptFallback() {
    TotpReplayGuard guard = new TotpReplayGuard(api, keys);
    long user = 31337;
    RedisTopology.Node master = cluster.masterOf(keys.totpLastStep(user));
    master.cli("SCRIPT", "FLUSH");
    long evalBefore = calls(master, "eval");
    long evalshaBefore = calls(master, "evalsha");
    for (int step = 1; step <= 5; step++) {
      assertThat(await(guard.spend(user, step))).isTrue();
    }
    assertThat(calls(master, "evalsha") - evalshaBefore).as("every call tried EVALSHA").isEqualTo(5);
    assertThat(calls(master, "eval") - evalBefore).as("the body went once, after the NOSCRIPT").isEqualTo(1);
  }

  /** {@code cmdstat_<command>:calls=N,…} from INFO commandstats (0 when the command never ran). */
  private static long calls(RedisTopology.Node node, String command) {
    for (String line : node.cli("INFO", "commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        String stats = line.substring(line.indexOf(':') + 1);
        return Long.parseLong(stats.split(",")[0].substring("calls=".length()));
      }
    }
    return 0;
  }
}
