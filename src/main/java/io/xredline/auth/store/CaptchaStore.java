package io.xredline.auth.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.xredline.data.CacheLookups;

import java.time.Duration;
import java.util.List;

/** Captcha codes in Redis: TTL, one-time use, burned after a number of wrong answers — all atomic. */
public final class CaptchaStore {
  public enum Outcome { OK, WRONG, BURNED, EXPIRED }

  private static final String CREATE = """
      redis.call('HSET', KEYS[1], 'code', ARGV[1], 'wrong', 0)
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1
      """;

  private static final String CHECK = """
      local stored = redis.call('HGET', KEYS[1], 'code')
      if not stored then return 'EXPIRED' end
      if stored == ARGV[1] then
        redis.call('DEL', KEYS[1])
        return 'OK'
      end
      local wrong = redis.call('HINCRBY', KEYS[1], 'wrong', 1)
      if wrong >= tonumber(ARGV[2]) then
        redis.call('DEL', KEYS[1])
        return 'BURNED'
      end
      return 'WRONG'
      """;

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final CacheLookups lookups;

  public CaptchaStore(RedisAPI redis, RedisKeys keys, CacheLookups lookups) {
    this.redis = redis;
    this.keys = keys;
    this.lookups = lookups;
  }

  /** {@code code} is stored as given; callers normalise case. */
  public Future<Void> create(String id, String code, Duration ttl) {
    return RedisScripts.eval(redis, CREATE, List.of(keys.captcha(id)), code, ttl.toMillis()).mapEmpty();
  }

  /** Consumes the captcha on a correct answer; the {@code maxWrong}-th wrong answer deletes it. */
  public Future<Outcome> check(String id, String code, int maxWrong) {
    return RedisScripts.eval(redis, CHECK, List.of(keys.captcha(id)), code, maxWrong)
        .map(r -> Outcome.valueOf(r.toString()))
        .onSuccess(outcome -> lookups.record("captcha", outcome != Outcome.EXPIRED));
  }
}
