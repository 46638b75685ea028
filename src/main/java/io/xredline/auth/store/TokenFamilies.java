package io.xredline.auth.store;

import io.xredline.data.RedisScripts;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.xredline.data.CacheLookups;

import java.util.List;

/**
 * Sign-in sessions in Redis. A family is one sign-in: it remembers its user and the one refresh
 * token ({@code jti}) that may be used next, and lives exactly as long as the absolute session
 * lifetime. Revoked families stay as tombstones until they expire, so a replayed token is still
 * recognised as reuse. Logged-out access tokens sit on a deny-list until they expire.
 */
public final class TokenFamilies {
  public enum Rotation { ROTATED, REUSED, REVOKED, UNKNOWN }

  public enum Access { OK, DENIED, REVOKED }

  /** {@code remainingMs} is what is left of the family's absolute lifetime after a rotation. */
  public record Rotated(Rotation outcome, long remainingMs) {
  }

  private static final String CREATE = """
      redis.call('HSET', KEYS[1], 'user', ARGV[1], 'current', ARGV[2], 'revoked', '0')
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      redis.call('SADD', KEYS[2], ARGV[4])
      if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
      return 1
      """;

  /** Reuse of any earlier token of a family revokes the whole family. */
  private static final String ROTATE = """
      local current = redis.call('HGET', KEYS[1], 'current')
      if not current then return {'UNKNOWN', 0} end
      if current ~= ARGV[1] then
        redis.call('HSET', KEYS[1], 'revoked', '1')
        return {'REUSED', 0}
      end
      if redis.call('HGET', KEYS[1], 'revoked') == '1' then return {'REVOKED', 0} end
      redis.call('HSET', KEYS[1], 'current', ARGV[2])
      return {'ROTATED', redis.call('PTTL', KEYS[1])}
      """;

  private static final String REVOKE_ALL = """
      local families = redis.call('SMEMBERS', KEYS[1])
      for _, id in ipairs(families) do
        local key = ARGV[1] .. id
        if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'revoked', '1') end
      end
      return #families
      """;

  private static final String CHECK_ACCESS = """
      if redis.call('EXISTS', KEYS[1]) == 1 then return 'DENIED' end
      local revoked = redis.call('HGET', KEYS[2], 'revoked')
      if not revoked or revoked == '1' then return 'REVOKED' end
      return 'OK'
      """;

  private static final String REVOKE = """
      if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'revoked', '1') end
      return 1
      """;

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final CacheLookups lookups;

  public TokenFamilies(RedisAPI redis, RedisKeys keys, CacheLookups lookups) {
    this.redis = redis;
    this.keys = keys;
    this.lookups = lookups;
  }

  public Future<Void> create(String familyId, long userId, String refreshJti, long lifetimeMs) {
    return RedisScripts.eval(redis, CREATE, List.of(keys.family(userId, familyId), keys.userFamilies(userId)),
        userId, refreshJti, lifetimeMs, familyId).mapEmpty();
  }

  /** Atomically: exactly one of several parallel rotations of the same token wins. */
  public Future<Rotated> rotate(long userId, String familyId, String presentedJti, String nextJti) {
    return RedisScripts.eval(redis, ROTATE, List.of(keys.family(userId, familyId)), presentedJti, nextJti)
        .map(r -> new Rotated(Rotation.valueOf(r.get(0).toString()), r.get(1).toLong()));
  }

  public Future<Void> revoke(long userId, String familyId) {
    return RedisScripts.eval(redis, REVOKE, List.of(keys.family(userId, familyId))).mapEmpty();
  }

  public Future<Integer> revokeAll(long userId) {
    // the script derives each family's key from this prefix; it carries the user's hash tag, so
    // every key it touches is in the slot of the declared one
    return RedisScripts.eval(redis, REVOKE_ALL, List.of(keys.userFamilies(userId)), keys.family(userId, ""))
        .map(r -> r.toInteger());
  }

  public Future<Void> deny(long userId, String accessJti, long forMs) {
    return RedisScripts.unavailableOnFailure(
        redis.set(List.of(keys.denied(userId, accessJti), "1", "PX", String.valueOf(Math.max(1, forMs))))).mapEmpty();
  }

  /** An access token is usable while it is not denied and its sign-in is neither revoked nor gone. */
  public Future<Access> checkAccess(long userId, String accessJti, String familyId) {
    return RedisScripts.eval(redis, CHECK_ACCESS, List.of(keys.denied(userId, accessJti), keys.family(userId, familyId)))
        .map(r -> Access.valueOf(r.toString()))
        .onSuccess(access -> lookups.record("session", access == Access.OK));
  }
}
