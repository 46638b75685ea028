package io.xredline.auth.store;

import io.xredline.data.RedisScripts;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Captcha codes in Redis: TTL, one-time use, burned after a number of wrong answers — all atomic.
 * An sms/email code remembers the digest of the address it was sent to and is accepted only where
 * that address is being proven.
 */
public final class CaptchaStore {
  /** {@code ELSEWHERE}: the right code, but it was sent to an address this request does not prove. */
  public enum Outcome { OK, WRONG, ELSEWHERE, BURNED, EXPIRED }

  private static final String CREATE = """
      redis.call('HSET', KEYS[1], 'code', ARGV[1], 'wrong', 0)
      if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'target', ARGV[3]) end
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1
      """;

  /** ARGV[3] '1': a bound code must name one of ARGV[4..]; a code used elsewhere counts as a wrong answer. */
  private static final String CHECK = """
      local stored = redis.call('HGET', KEYS[1], 'code')
      if not stored then return 'EXPIRED' end
      local target = redis.call('HGET', KEYS[1], 'target')
      local here = true
      if target and ARGV[3] == '1' then
        here = false
        for i = 4, #ARGV do
          if ARGV[i] == target then here = true end
        end
      end
      if stored == ARGV[1] and here then
        redis.call('DEL', KEYS[1])
        return 'OK'
      end
      local wrong = redis.call('HINCRBY', KEYS[1], 'wrong', 1)
      if wrong >= tonumber(ARGV[2]) then
        redis.call('DEL', KEYS[1])
        return 'BURNED'
      end
      if stored == ARGV[1] then return 'ELSEWHERE' end
      return 'WRONG'
      """;

  private final AuthRedis redis;

  public CaptchaStore(AuthRedis redis) {
    this.redis = redis;
  }

  /**
   * {@code code} is stored as given (callers normalise case); {@code target} null for image captchas.
   * A code sent to a target is also remembered as that target's latest, for {@link #checkSentTo}
   * (a separate key in its own slot: the pointer only finds the code, the check stays atomic).
   */
  public Future<Void> create(String id, String code, Duration ttl, String target) {
    Future<Void> created = redis.eval(CREATE, List.of(keys().captcha(id)), code, ttl.toMillis(),
        target == null ? "" : RedisKeys.digest(target)).mapEmpty();
    if (target == null) {
      return created;
    }
    return created.compose(v -> RedisScripts.unavailableOnFailure(
        redis.api().set(List.of(keys().codeFor(target), id, "PX", String.valueOf(ttl.toMillis()))))).mapEmpty();
  }

  /** Checks the latest code sent to {@code target} (routes whose body carries the code but not its id). */
  public Future<Outcome> checkSentTo(String target, String code, int maxWrong) {
    return RedisScripts.unavailableOnFailure(redis.api().get(keys().codeFor(target))).compose(id -> id == null
        ? Future.succeededFuture(Outcome.EXPIRED)
        : check(id.toString(), code, maxWrong, List.of(target)));
  }

  /**
   * A password-reset code: one per target (a new one replaces the old), kept apart from the codes
   * {@link #checkSentTo} finds, so a sign-in or verification code never resets a password.
   */
  public Future<Void> createReset(String target, String code, Duration ttl) {
    return redis.eval(CREATE, List.of(keys().captcha(resetId(target))), code, ttl.toMillis(),
        RedisKeys.digest(target)).mapEmpty();
  }

  public Future<Outcome> checkReset(String target, String code, int maxWrong) {
    return check(resetId(target), code, maxWrong, List.of(target));
  }

  private static String resetId(String target) {
    return "reset-" + RedisKeys.digest(target);
  }

  /**
   * Consumes the captcha on a correct answer; the {@code maxWrong}-th wrong answer deletes it.
   * {@code provenTargets} null: any captcha; otherwise a code sent to an address must be for one of these
   * (normalised) targets.
   */
  public Future<Outcome> check(String id, String code, int maxWrong, List<String> provenTargets) {
    List<Object> args = new ArrayList<>();
    args.add(code);
    args.add(maxWrong);
    args.add(provenTargets == null ? 0 : 1);
    if (provenTargets != null) {
      for (String target : provenTargets) {
        args.add(RedisKeys.digest(target));
      }
    }
    return redis.eval(CHECK, List.of(keys().captcha(id)), args.toArray())
        .map(r -> Outcome.valueOf(r.toString()))
        .onSuccess(outcome -> redis.lookups().record("captcha", outcome != Outcome.EXPIRED));
  }

  private RedisKeys keys() {
    return redis.keys();
  }
}
