package io.xredline.auth.store;

import io.xredline.data.RedisScripts;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;

import java.util.List;

/** Remembers the last TOTP time step each user spent, so a code (or an older one) never works twice. */
public final class TotpReplayGuard {
  private static final String SPEND = """
      local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
      if tonumber(ARGV[1]) <= last then return 0 end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return 1
      """;

  private final RedisAPI redis;
  private final RedisKeys keys;

  public TotpReplayGuard(RedisAPI redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** True when this step was not used yet (and is now marked used); kept a few windows long. */
  public Future<Boolean> spend(long userId, long step) {
    return RedisScripts.eval(redis, SPEND, List.of(keys.totpLastStep(userId)), step, 5 * 60_000)
        .map(r -> r.toInteger() == 1);
  }
}
