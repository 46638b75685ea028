package io.xredline.auth.store;

import io.xredline.data.RedisScripts;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Failed sign-ins in Redis, two levels, all keys of one identity under its hash tag:
 * <ul>
 * <li>per pair (login name as typed, client): {@code maxAttempts} failures within {@code window}
 *     lock the pair for {@code lockDuration} — the lock anyone can see;</li>
 * <li>per account (known accounts only): {@code accountMax} failures within {@code accountWindow},
 *     from all names and addresses, lock the account until {@link #unlockAccount} (an admin unlock
 *     or a password reset). Never shown to the one signing in: see docs/auth.md.</li>
 * </ul>
 * An attempt is reserved before its password is hashed and settled after: a reservation counts
 * like a failure until it is settled, so parallel attempts on any number of instances never
 * evaluate more passwords than the limits allow. Reservations expire by themselves after
 * {@code reservationTtl}, so an instance that dies between reserve and settle frees its slots.
 */
public final class LoginAttempts {
  /**
   * Who is trying: the lockout {@code identity} ({@link RedisKeys#account} or
   * {@link RedisKeys#unknownAccount}), the {@code pair} digest of (name as typed, client), and
   * whether the account-wide cap applies (the name matched an account).
   */
  public record Attempt(String identity, String pair, boolean account) {
  }

  public enum Verdict { RESERVED, LOCKED, BUSY }

  /**
   * {@code LOCKED}: the pair is locked for {@code lockedForMs}; {@code BUSY}: failures and attempts
   * in flight already use the pair's budget; {@code RESERVED}: go ahead — but with
   * {@code accountLocked} no password may be evaluated (the account-wide cap is reached).
   */
  public record Reservation(Verdict verdict, String token, long lockedForMs, boolean accountLocked) {
  }

  /** After a failure: the pair's count, how long it is locked, and whether this failure locked the pair or the account. */
  public record Failure(int failures, long lockedForMs, boolean lockedNow, boolean accountLockedNow) {
    public boolean locked() {
      return lockedForMs > 0;
    }
  }

  /** An account as lock-status shows it: failures in the account window, the account lock, pairs locked now. */
  public record AccountState(int failures, boolean accountLocked, int lockedPairs, long lastPairUnlockMs) {
  }

  private static final String NOW = """
      local clock = redis.call('TIME')
      local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
      """;

  /** Refuses once failures + reservations reach the limit, so a burst cannot outrun the count. */
  private static final String RESERVE = NOW + """
      local locked = redis.call('PTTL', KEYS[2])
      if locked > 0 then return {'LOCKED', locked, 0} end
      redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
      local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
      if failures + redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return {'BUSY', 0, 0} end
      local ttl = tonumber(ARGV[2])
      local account = 0
      if ARGV[5] == '1' then
        if redis.call('EXISTS', KEYS[5]) == 1 then
          account = 1
        else
          redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
          local total = tonumber(redis.call('GET', KEYS[4]) or '0') + redis.call('ZCARD', KEYS[6])
          if total >= tonumber(ARGV[4]) then
            account = 1
          else
            redis.call('ZADD', KEYS[6], now + ttl, ARGV[1])
            redis.call('PEXPIRE', KEYS[6], ttl)
          end
        end
      end
      redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
      redis.call('PEXPIRE', KEYS[3], ttl)
      return {'RESERVED', 0, account}
      """;

  /** The reservation becomes a failure; the one that reaches a limit takes the lock, exactly once. */
  private static final String FAIL = NOW + """
      redis.call('ZREM', KEYS[3], ARGV[1])
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
      local lockedNow = 0
      local lockedFor = redis.call('PTTL', KEYS[2])
      if lockedFor <= 0 and n >= tonumber(ARGV[2]) then
        local duration = tonumber(ARGV[4])
        redis.call('SET', KEYS[2], '1', 'PX', duration)
        -- the count lives as long as the lock, so lock-status shows why
        redis.call('PEXPIRE', KEYS[1], duration)
        redis.call('ZADD', KEYS[7], now + duration, ARGV[8])
        if redis.call('PTTL', KEYS[7]) < duration then redis.call('PEXPIRE', KEYS[7], duration) end
        lockedNow = 1
        lockedFor = duration
      end
      if lockedFor < 0 then lockedFor = 0 end
      local accountNow = 0
      if ARGV[7] == '1' then
        redis.call('ZREM', KEYS[6], ARGV[1])
        local total = redis.call('INCR', KEYS[4])
        if total == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[6]) end
        if total >= tonumber(ARGV[5]) and redis.call('SET', KEYS[5], '1', 'NX') then accountNow = 1 end
      end
      return {n, lockedFor, lockedNow, accountNow}
      """;

  /** Success clears the pair's count (not the account window: that counts failures per day, not in a row). */
  private static final String SUCCEED = """
      redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('ZREM', KEYS[3], ARGV[1])
      redis.call('DEL', KEYS[1])
      redis.call('ZREM', KEYS[4], ARGV[2])
      return 1
      """;

  private static final String RELEASE = """
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      return 1
      """;

  /** Reads only: asking never resets or extends anything. */
  private static final String STATE = NOW + """
      local pairs = redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf')
      local last = 0
      if pairs > 0 then
        last = tonumber(redis.call('ZREVRANGEBYSCORE', KEYS[3], '+inf', '(' .. now, 'WITHSCORES', 'LIMIT', 0, 1)[2]) - now
      end
      return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('EXISTS', KEYS[2]), pairs, last}
      """;

  /** Pair keys are derived from the index: same hash tag, so the script stays on one Cluster slot. */
  private static final String UNLOCK = """
      local pairs = redis.call('ZRANGE', KEYS[3], 0, -1)
      for _, pair in ipairs(pairs) do
        redis.call('DEL', ARGV[1] .. pair .. ':lock', ARGV[1] .. pair .. ':failures')
      end
      redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
      return #pairs
      """;

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final int maxAttempts;
  private final Duration window;
  private final Duration lockDuration;
  private final int accountMax;
  private final Duration accountWindow;
  private final Duration reservationTtl;

  public LoginAttempts(RedisAPI redis, RedisKeys keys, int maxAttempts, Duration window, Duration lockDuration,
                       int accountMax, Duration accountWindow, Duration reservationTtl) {
    this.redis = redis;
    this.keys = keys;
    this.maxAttempts = maxAttempts;
    this.window = window;
    this.lockDuration = lockDuration;
    this.accountMax = accountMax;
    this.accountWindow = accountWindow;
    this.reservationTtl = reservationTtl;
  }

  public Duration lockDuration() {
    return lockDuration;
  }

  public Future<Reservation> reserve(Attempt a) {
    String token = UUID.randomUUID().toString();
    return RedisScripts.eval(redis, RESERVE, attemptKeys(a), token, reservationTtl.toMillis(), maxAttempts, accountMax,
            a.account() ? 1 : 0)
        .map(r -> new Reservation(Verdict.valueOf(r.get(0).toString()), token, r.get(1).toLong(), r.get(2).toInteger() == 1));
  }

  public Future<Failure> fail(Attempt a, Reservation r) {
    List<String> k = new java.util.ArrayList<>(attemptKeys(a));
    k.add(keys.login(a.identity(), "locked-pairs"));
    return RedisScripts.eval(redis, FAIL, k, r.token(), maxAttempts, window.toMillis(), lockDuration.toMillis(),
            accountMax, accountWindow.toMillis(), a.account() ? 1 : 0, a.pair())
        .map(x -> new Failure(x.get(0).toInteger(), x.get(1).toLong(), x.get(2).toInteger() == 1, x.get(3).toInteger() == 1));
  }

  public Future<Void> succeed(Attempt a, Reservation r) {
    return RedisScripts.eval(redis, SUCCEED, List.of(pair(a, "failures"), pair(a, "pending"),
        keys.login(a.identity(), "pending"), keys.login(a.identity(), "locked-pairs")), r.token(), a.pair()).mapEmpty();
  }

  /** Neither failure nor success (a wrong captcha, a missing TOTP code, a dependency down): the slot is free again. */
  public Future<Void> release(Attempt a, Reservation r) {
    return RedisScripts.eval(redis, RELEASE, List.of(pair(a, "pending"), keys.login(a.identity(), "pending")),
        r.token()).mapEmpty();
  }

  public Future<AccountState> state(String identity) {
    return RedisScripts.eval(redis, STATE, List.of(keys.login(identity, "failures"), keys.login(identity, "locked"),
            keys.login(identity, "locked-pairs")))
        .map(r -> new AccountState(r.get(0).toInteger(), r.get(1).toInteger() == 1, r.get(2).toInteger(), r.get(3).toLong()));
  }

  /** Lifts the account-wide lock and every pair lock of the account, and forgets its failures (admin unlock, password reset). */
  public Future<Integer> unlockAccount(String identity) {
    return RedisScripts.eval(redis, UNLOCK, List.of(keys.login(identity, "failures"), keys.login(identity, "locked"),
            keys.login(identity, "locked-pairs")), keys.login(identity, "pair:"))
        .map(Response::toInteger);
  }

  private List<String> attemptKeys(Attempt a) {
    return List.of(pair(a, "failures"), pair(a, "lock"), pair(a, "pending"), keys.login(a.identity(), "failures"),
        keys.login(a.identity(), "locked"), keys.login(a.identity(), "pending"));
  }

  private String pair(Attempt a, String part) {
    return keys.login(a.identity(), "pair:" + a.pair() + ":" + part);
  }
}
