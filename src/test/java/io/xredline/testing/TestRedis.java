package io.xredline.testing;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.xredline.config.AppConfig;
import io.xredline.data.RedisClients;
import io.xredline.data.RedisNodes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis commands against the server a test app uses (in whatever mode it runs), so a test can look
 * at state instead of waiting for time. Not counted in the app's cache metrics.
 */
public final class TestRedis {
  private TestRedis() {
  }

  /** {@code key} without the app's key prefix, which is added here. */
  public static Response send(TestApp app, Command command, String key, String... args) {
    Request request = Request.cmd(command).arg(app.config().data().redis().keyPrefix() + key);
    for (String arg : args) {
      request.arg(arg);
    }
    Redis redis = RedisClients.client(app.app().vertx(), app.config().data().redis(), app.app().backends().redisUrl());
    try {
      return await(redis.send(request));
    } finally {
      redis.close();
    }
  }

  public static boolean exists(TestApp app, String key) {
    return send(app, Command.EXISTS, key).toInteger() == 1;
  }

  /**
   * Ends now what a TTL would end later: every key of the app matching {@code pattern} (without the
   * prefix) is gone when this returns (a non-positive PEXPIRE deletes at once), so a test sees a lock
   * or a code expire without waiting for its duration. A 1 ms TTL was not enough: a request on a fast
   * machine could still read the key inside that millisecond.
   * SCAN sees one node's keys, so on a Redis Cluster every master is scanned. Returns how many keys it found.
   */
  public static int expireNow(TestApp app, String pattern) {
    AppConfig.Redis config = app.config().data().redis();
    String match = config.keyPrefix() + pattern;
    if (config.mode() != AppConfig.RedisMode.CLUSTER) {
      Redis redis = RedisClients.client(app.app().vertx(), config, app.app().backends().redisUrl());
      try {
        return expireMatching(request -> await(redis.send(request)), match);
      } finally {
        redis.close();
      }
    }
    RedisNodes nodes = new RedisNodes(app.app().vertx(), config, 20_000);
    try {
      int found = 0;
      for (RedisNodes.Node node : await(nodes.discover()).nodes()) {
        if (node.role() == RedisNodes.Role.MASTER && node.servesSlots()) {
          found += expireMatching(request -> await(nodes.send(node.url(), request)), match);
        }
      }
      return found;
    } finally {
      nodes.close();
    }
  }

  private static int expireMatching(java.util.function.Function<Request, Response> node, String match) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = node.apply(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(match).arg("COUNT").arg(1000));
      cursor = page.get(0).toString();
      page.get(1).forEach(key -> keys.add(key.toString()));
    } while (!"0".equals(cursor));
    keys.forEach(key -> node.apply(Request.cmd(Command.PEXPIRE).arg(key).arg(0)));
    return keys.size();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("redis: " + e, e);
    }
  }
}
