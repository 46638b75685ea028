package io.xredline.testing;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.xredline.data.Cache;

import java.util.concurrent.TimeUnit;

/**
 * One Redis command against the server a test app uses (in whatever mode it runs), so a test can
 * look at state instead of waiting for time. Not counted in the app's cache metrics.
 */
public final class TestRedis {
  private TestRedis() {
  }

  /** {@code key} without the app's key prefix, which is added here. */
  public static Response send(TestApp app, Command command, String key, String... args) {
    Redis redis = Cache.uncounted(app.app().vertx(), app.config().data().redis(), app.app().backends().redisUrl());
    try {
      Request request = Request.cmd(command).arg(app.config().data().redis().keyPrefix() + key);
      for (String arg : args) {
        request.arg(arg);
      }
      return redis.send(request).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(command + " " + key + ": " + e, e);
    } finally {
      redis.close();
    }
  }

  public static boolean exists(TestApp app, String key) {
    return send(app, Command.EXISTS, key).toInteger() == 1;
  }
}
