package io.xredline.auth.store;

import io.xredline.data.RedisScripts;
import io.vertx.core.Future;

import java.util.List;

/**
 * Sign-in sessions in Redis. A family is one sign-in: it remembers its user and the one refresh
 * token ({@code jti}) that may be used next, and lives exactly as long as the absolute session
 * lifetime. Revoked families stay as tombstones until they expire, so a replayed token is still
 * recognised as reuse. Logged-out access tokens sit on a deny-list until they expire.
 */
public final class TokenFamilies {
  public enum Rotation { ROTATED, REUSED, REVOKED, UNKNOWN }

  public enum Access { OK, DENIED, REVOKED, DISABLED }

  /** A live sign-in as its owner sees it: times in epoch milliseconds, address and user agent as they signed in. */
  public record Session(String familyId, long createdAtMs, long lastUsedAtMs, String ip, String userAgent) {
  }

  /** {@code remainingMs} is what is left of the family's absolute lifetime after a rotation. */
  public record Rotated(Rotation outcome, long remainingMs) {
  }

  private static final String NOW = """
      local clock = redis.call('TIME')
      local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
      """;

  private static final String CREATE = NOW + """
      redis.call('HSET', KEYS[1], 'user', ARGV[1], 'current', ARGV[2], 'revoked', '0', 'created', now, 'used', now,
        'ip', ARGV[5], 'ua', ARGV[6])
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      redis.call('SADD', KEYS[2], ARGV[4])
      if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
      return 1
      """;

  /** Reuse of any earlier token of a family revokes the whole family. */
  private static final String ROTATE = NOW + """
      local current = redis.call('HGET', KEYS[1], 'current')
      if not current then return {'UNKNOWN', 0} end
      if current ~= ARGV[1] then
        redis.call('HSET', KEYS[1], 'revoked', '1')
        return {'REUSED', 0}
      end
      if redis.call('HGET', KEYS[1], 'revoked') == '1' then return {'REVOKED', 0} end
      redis.call('HSET', KEYS[1], 'current', ARGV[2], 'used', now)
      return {'ROTATED', redis.call('PTTL', KEYS[1])}
      """;

  /** ARGV[2]: a family to keep (the session asking, on a password change); '' revokes every one. */
  private static final String REVOKE_ALL = """
      local families = redis.call('SMEMBERS', KEYS[1])
      local revoked = 0
      for _, id in ipairs(families) do
        local key = ARGV[1] .. id
        if id ~= ARGV[2] and redis.call('EXISTS', key) == 1 then
          redis.call('HSET', key, 'revoked', '1')
          revoked = revoked + 1
        end
      end
      return revoked
      """;

  /**
   * The user's live families with their metadata; ids whose family expired leave the index here,
   * so the index never grows past the sign-ins still alive. Family keys derive from ARGV[1], which
   * carries the user's hash tag (one slot).
   */
  private static final String LIST = """
      local out = {}
      for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local key = ARGV[1] .. id
        local f = redis.call('HMGET', key, 'revoked', 'created', 'used', 'ip', 'ua')
        if not f[1] then
          redis.call('SREM', KEYS[1], id)
        elseif f[1] == '0' then
          table.insert(out, id)
          table.insert(out, f[2] or '0')
          table.insert(out, f[3] or '0')
          table.insert(out, f[4] or '')
          table.insert(out, f[5] or '')
        end
      end
      return out
      """;

  /** A disabled account is refused on every request, and its sign-ins are over; both at once. */
  private static final String DISABLE = """
      redis.call('SET', KEYS[2], '1')
      local families = redis.call('SMEMBERS', KEYS[1])
      for _, id in ipairs(families) do
        local key = ARGV[1] .. id
        if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'revoked', '1') end
      end
      return #families
      """;

  private static final String CHECK_ACCESS = """
      if redis.call('EXISTS', KEYS[3]) == 1 then return 'DISABLED' end
      if redis.call('EXISTS', KEYS[1]) == 1 then return 'DENIED' end
      local revoked = redis.call('HGET', KEYS[2], 'revoked')
      if not revoked or revoked == '1' then return 'REVOKED' end
      return 'OK'
      """;

  /** 1 when a live family was revoked, 0 when there was none (or it was revoked already). */
  private static final String REVOKE = """
      if redis.call('HGET', KEYS[1], 'revoked') == '0' then
        redis.call('HSET', KEYS[1], 'revoked', '1')
        return 1
      end
      return 0
      """;

  private final AuthRedis redis;

  public TokenFamilies(AuthRedis redis) {
    this.redis = redis;
  }

  /** {@code ip} and {@code userAgent} may be null (an operator's CLI); they are kept for the sessions list. */
  public Future<Void> create(String familyId, long userId, String refreshJti, long lifetimeMs, String ip, String userAgent) {
    return redis.eval(CREATE, List.of(keys().family(userId, familyId), keys().userFamilies(userId)),
        userId, refreshJti, lifetimeMs, familyId, ip == null ? "" : ip, userAgent == null ? "" : userAgent).mapEmpty();
  }

  public Future<List<Session>> list(long userId) {
    return redis.eval(LIST, List.of(keys().userFamilies(userId)), keys().family(userId, "")).map(r -> {
      List<Session> sessions = new java.util.ArrayList<>();
      for (int i = 0; i + 4 < r.size(); i += 5) {
        sessions.add(new Session(r.get(i).toString(), r.get(i + 1).toLong(), r.get(i + 2).toLong(), r.get(i + 3).toString(),
            r.get(i + 4).toString()));
      }
      return sessions;
    });
  }

  /** Atomically: exactly one of several parallel rotations of the same token wins. */
  public Future<Rotated> rotate(long userId, String familyId, String presentedJti, String nextJti) {
    return redis.eval(ROTATE, List.of(keys().family(userId, familyId)), presentedJti, nextJti)
        .map(r -> new Rotated(Rotation.valueOf(r.get(0).toString()), r.get(1).toLong()));
  }

  /** True when a live family of this user was revoked. */
  public Future<Boolean> revoke(long userId, String familyId) {
    return redis.eval(REVOKE, List.of(keys().family(userId, familyId))).map(r -> r.toInteger() == 1);
  }

  public Future<Integer> revokeAll(long userId) {
    return revokeAllBut(userId, "");
  }

  /** Every family of the user except {@code keep} (the session asking); returns how many were revoked. */
  public Future<Integer> revokeAllBut(long userId, String keep) {
    // the script derives each family's key from this prefix; it carries the user's hash tag, so
    // every key it touches is in the slot of the declared one
    return redis.eval(REVOKE_ALL, List.of(keys().userFamilies(userId)), keys().family(userId, ""), keep)
        .map(r -> r.toInteger());
  }

  /** Marks the account disabled for {@link #checkAccess} and revokes all its families, atomically. */
  public Future<Integer> disable(long userId) {
    return redis.eval(DISABLE, List.of(keys().userFamilies(userId), keys().disabled(userId)),
        keys().family(userId, "")).map(r -> r.toInteger());
  }

  public Future<Void> enable(long userId) {
    return RedisScripts.unavailableOnFailure(redis.api().del(List.of(keys().disabled(userId)))).mapEmpty();
  }

  public Future<Void> deny(long userId, String accessJti, long forMs) {
    return RedisScripts.unavailableOnFailure(
        redis.api().set(List.of(keys().denied(userId, accessJti), "1", "PX", String.valueOf(Math.max(1, forMs))))).mapEmpty();
  }

  /** An access token is usable while it is not denied and its sign-in is neither revoked nor gone. */
  public Future<Access> checkAccess(long userId, String accessJti, String familyId) {
    return redis.eval(CHECK_ACCESS, List.of(keys().denied(userId, accessJti), keys().family(userId, familyId),
            keys().disabled(userId)))
        .map(r -> Access.valueOf(r.toString()))
        .onSuccess(access -> redis.lookups().record("session", access == Access.OK));
  }

  private RedisKeys keys() {
    return redis.keys();
  }
}
