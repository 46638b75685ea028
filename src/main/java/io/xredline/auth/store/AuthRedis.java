package io.xredline.auth.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.xredline.data.CacheLookups;
import io.xredline.data.RedisScripts;

import java.util.List;

/**
 * The Redis side of the auth capability's script-backed stores: the client, the key layout, and
 * the lookup counter that also counts the hits and misses decided inside a script.
 */
public record AuthRedis(RedisAPI api, RedisKeys keys, CacheLookups lookups) {
  /** One of a store's scripts, sent as EVALSHA ({@link RedisScripts#eval}). */
  Future<Response> eval(String script, List<String> scriptKeys, Object... args) {
    return RedisScripts.eval(api, script, scriptKeys, args);
  }
}
