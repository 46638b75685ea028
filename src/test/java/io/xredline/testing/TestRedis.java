package io.xredline.testing;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.concurrent.TimeUnit;

/** Redis commands against the server a test app uses, so a test can look at state instead of waiting for time. */
public final class TestRedis {
  private TestRedis() {
  }

  /** {@code key} without the app's key prefix, which is added here. */
  public static Response send(TestApp app, Command command, String key, String... args) {
    Request request = Request.cmd(command).arg(app.config().data().redis().keyPrefix() + key);
    for (String arg : args) {
      request.arg(arg);
    }
    return raw(app, request);
  }

  public static boolean exists(TestApp app, String key) {
    return send(app, Command.EXISTS, key).toInteger() == 1;
  }

  /**
   * Ends now what a TTL would end later: every key of the app matching {@code pattern} (without the
   * prefix) gets a 1 ms TTL, so a test sees a lock or a code expire without waiting for its duration.
   * Returns how many keys it found.
   */
  public static int expireNow(TestApp app, String pattern) {
    String prefix = app.config().data().redis().keyPrefix();
    int found = 0;
    String cursor = "0";
    do {
      Response page = raw(app, Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + pattern)
          .arg("COUNT").arg(1000));
      cursor = page.get(0).toString();
      for (Response key : page.get(1)) {
        raw(app, Request.cmd(Command.PEXPIRE).arg(key.toString()).arg(1));
        found++;
      }
    } while (!"0".equals(cursor));
    return found;
  }

  private static Response raw(TestApp app, Request request) {
    Redis redis = Redis.createClient(app.app().vertx(), app.app().backends().redisUrl());
    try {
      return redis.send(request).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(request + ": " + e, e);
    } finally {
      redis.close();
    }
  }
}
