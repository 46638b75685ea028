package io.xredline.auth.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a Lua script atomically (EVAL, so a flushed script cache never matters) and turns any Redis
 * failure into 503 SERVICE_UNAVAILABLE. Keys are always built by {@link RedisKeys}.
 */
final class RedisScripts {
  private static final Logger LOG = LoggerFactory.getLogger(RedisScripts.class);

  private RedisScripts() {
  }

  static Future<Response> eval(RedisAPI redis, String script, List<String> keys, Object... args) {
    List<String> command = new ArrayList<>(3 + keys.size() + args.length);
    command.add(script);
    command.add(String.valueOf(keys.size()));
    command.addAll(keys);
    for (Object arg : args) {
      command.add(String.valueOf(arg));
    }
    return unavailableOnFailure(redis.eval(command));
  }

  static <T> Future<T> unavailableOnFailure(Future<T> call) {
    return call.recover(e -> {
      LOG.warn("redis call failed: {}", e.getMessage());
      return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE, "cache unavailable, try again shortly"));
    });
  }
}
