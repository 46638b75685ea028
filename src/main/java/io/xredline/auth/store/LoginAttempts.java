package io.xredline.auth.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;

/**
 * Failed sign-ins per account in Redis. One Lua script counts a failure and locks at exactly the
 * configured count, so parallel failures on any number of instances cannot overshoot or undercount.
 */
public final class LoginAttempts {
  /** {@code lockedForMs > 0} while locked; {@code lockedNow} only on the failure that locked it. */
  public record State(int failures, long lockedForMs, boolean lockedNow) {
    public boolean locked() {
      return lockedForMs > 0;
    }
  }

  private static final String RECORD_FAILURE = """
      local locked = redis.call('PTTL', KEYS[2])
      if locked > 0 then
        return {tonumber(redis.call('GET', KEYS[1]) or '0'), locked, 0}
      end
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      if n >= tonumber(ARGV[1]) then
        redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
        -- keep the count for as long as the lock, so lock-status shows why it is locked
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {n, tonumber(ARGV[3]), 1}
      end
      return {n, 0, 0}
      """;

  private static final String STATE = """
      local locked = redis.call('PTTL', KEYS[2])
      if locked < 0 then locked = 0 end
      return {tonumber(redis.call('GET', KEYS[1]) or '0'), locked, 0}
      """;

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final int maxAttempts;
  private final Duration window;
  private final Duration lockDuration;

  public LoginAttempts(RedisAPI redis, RedisKeys keys, int maxAttempts, Duration window, Duration lockDuration) {
    this.redis = redis;
    this.keys = keys;
    this.maxAttempts = maxAttempts;
    this.window = window;
    this.lockDuration = lockDuration;
  }

  /** Reads only: asking never resets or extends anything. */
  public Future<State> state(String account) {
    return RedisScripts.eval(redis, STATE, List.of(keys.attempts(account), keys.lock(account))).map(LoginAttempts::state);
  }

  public Future<State> recordFailure(String account) {
    return RedisScripts.eval(redis, RECORD_FAILURE, List.of(keys.attempts(account), keys.lock(account)),
        maxAttempts, window.toMillis(), lockDuration.toMillis()).map(LoginAttempts::state);
  }

  public Future<Void> reset(String account) {
    return RedisScripts.unavailableOnFailure(redis.del(List.of(keys.attempts(account)))).mapEmpty();
  }

  private static State state(Response r) {
    return new State(r.get(0).toInteger(), r.get(1).toLong(), r.get(2).toInteger() == 1);
  }
}
