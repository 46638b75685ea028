package io.xredline.ratelimit;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.xredline.data.RedisScripts;

import java.util.ArrayList;
import java.util.List;

/**
 * Rate-limit buckets in Redis, decided by GCRA (the generic cell rate algorithm: a token bucket
 * kept as one timestamp). One script takes a unit from every bucket of one subject or from none,
 * on Redis' own clock, so any number of instances share one budget and cannot race past it.
 */
final class RateLimitBuckets {
  /**
   * A bucket of {@code burst} units, one unit coming back every {@code intervalMicros};
   * {@code intervalArg} is that interval as the script reads it, formatted once per setting.
   */
  record Bucket(String policy, double intervalMicros, int burst, String intervalArg) {
    Bucket(String policy, double intervalMicros, int burst) {
      this(policy, intervalMicros, burst, String.format(java.util.Locale.ROOT, "%.3f", intervalMicros));
    }
  }

  /** Where a bucket stands after the decision: units left and microseconds until one more is back. */
  public record Level(long remaining, long nextMicros) {
  }

  /** {@code refused} is the index of the bucket that refused (the one to wait longest for), -1 if allowed. */
  public record Outcome(int refused, long retryAfterMicros, List<Level> levels) {
    public boolean allowed() {
      return refused < 0;
    }
  }

  /**
   * The state of a bucket is its theoretical arrival time (TAT): a request conforms when taking one
   * more interval would not push the TAT further than {@code burst} intervals ahead of now. A
   * refused request changes nothing, so hammering a full bucket never extends the wait.
   */
  private static final String TAKE = """
      local clock = redis.call('TIME')
      local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
      local n = #KEYS
      local refused, retry = 0, 0
      local after = {}
      for i = 1, n do
        local interval = tonumber(ARGV[2 * i - 1])
        local capacity = interval * tonumber(ARGV[2 * i])
        local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
        if tat < now then tat = now end
        after[i] = tat + interval
        local wait = after[i] - now - capacity
        if wait > 0 and wait > retry then refused = i; retry = wait end
      end
      local out = {refused, math.floor(retry)}
      for i = 1, n do
        local interval = tonumber(ARGV[2 * i - 1])
        local burst = tonumber(ARGV[2 * i])
        local used
        if refused == 0 then
          used = after[i] - now
          redis.call('SET', KEYS[i], string.format('%.0f', after[i]), 'PX', math.ceil(used / 1000))
        else
          used = math.max(after[i] - interval - now, 0)
        end
        local remaining = math.floor((interval * burst - used) / interval)
        if remaining < 0 then remaining = 0 end
        local nxt = 0
        if remaining < burst then nxt = (remaining + 1) * interval - (interval * burst - used) end
        out[#out + 1] = remaining
        out[#out + 1] = math.ceil(nxt)
      end
      return out
      """;

  private final RedisAPI redis;
  private final String keyPrefix;

  /** {@code keyPrefix} is {@code data.redis.key_prefix}. */
  RateLimitBuckets(RedisAPI redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  /**
   * A bucket of one policy for one subject ({@code ip:…}, {@code account:…}, {@code target:…}); the
   * subject is the hash tag, so several policies of one subject are decided by one script on one
   * Redis Cluster slot.
   */
  String key(String subject, String policy) {
    return keyPrefix + "{rl:" + subject + "}:" + policy;
  }

  /** {@code subject} is already free of PII ({@code ip:…} or a digest); all buckets are its. */
  Future<Outcome> take(String subject, List<Bucket> buckets) {
    List<String> bucketKeys = new ArrayList<>(buckets.size());
    Object[] args = new Object[buckets.size() * 2];
    for (int i = 0; i < buckets.size(); i++) {
      Bucket b = buckets.get(i);
      bucketKeys.add(key(subject, b.policy()));
      args[2 * i] = b.intervalArg();
      args[2 * i + 1] = b.burst();
    }
    return RedisScripts.eval(redis, TAKE, bucketKeys, args).map(RateLimitBuckets::outcome);
  }

  private static Outcome outcome(Response r) {
    List<Level> levels = new ArrayList<>();
    for (int i = 2; i + 1 < r.size(); i += 2) {
      levels.add(new Level(r.get(i).toLong(), r.get(i + 1).toLong()));
    }
    return new Outcome(r.get(0).toInteger() - 1, r.get(1).toLong(), List.copyOf(levels));
  }
}
