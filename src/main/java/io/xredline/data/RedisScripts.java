package io.xredline.data;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.xredline.config.Secrets;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a Lua script atomically and turns any Redis failure into 503 SERVICE_UNAVAILABLE. Keys are
 * always built by their store and passed as KEYS, so a cluster client routes the call to the
 * one slot they share.
 *
 * <p>Each call sends EVALSHA (the script's SHA-1, not its body). A node that does not know the script
 * yet — a fresh server, a flushed script cache, another cluster master, a replica just promoted by a
 * failover — answers NOSCRIPT; the call is then repeated once as EVAL, which runs the script and
 * leaves it cached on that node. A script that raised an error never ran twice: only NOSCRIPT, which
 * Redis answers before running anything, is retried.
 */
public final class RedisScripts {
  private static final Logger LOG = LoggerFactory.getLogger(RedisScripts.class);
  private static final Map<String, String> SHAS = new ConcurrentHashMap<>();

  private RedisScripts() {
  }

  public static Future<Response> eval(RedisAPI redis, String script, List<String> keys, Object... args) {
    List<String> tail = new ArrayList<>(1 + keys.size() + args.length);
    tail.add(String.valueOf(keys.size()));
    tail.addAll(keys);
    for (Object arg : args) {
      tail.add(String.valueOf(arg));
    }
    Future<Response> call = redis.evalsha(prepend(sha1(script), tail)).recover(e -> {
      if (!isNoScript(e)) {
        return Future.failedFuture(e);
      }
      return redis.eval(prepend(script, tail));
    });
    return unavailableOnFailure(call);
  }

  public static <T> Future<T> unavailableOnFailure(Future<T> call) {
    return call.recover(e -> {
      LOG.warn("redis call failed: {}", describe(e));
      return Future.failedFuture(new AppError(Reason.SERVICE_UNAVAILABLE, "cache unavailable, try again shortly"));
    });
  }

  /**
   * The failure as it may be logged: the cluster client's messages name the endpoint with its
   * credentials, and its CROSSSLOT message spells out the whole command, arguments (codes, token
   * ids) included.
   */
  static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (message.contains("(CROSSSLOT)")) {
      return "CROSSSLOT: the keys of one call are not in one hash slot (a key without the account's hash tag)";
    }
    return Secrets.maskUrlsIn(message);
  }

  /** Redis answers {@code NOSCRIPT No matching script…}; the client surfaces that text as the failure's message. */
  static boolean isNoScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
  }

  static String sha1(String script) {
    return SHAS.computeIfAbsent(script, body -> {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> command = new ArrayList<>(1 + rest.size());
    command.add(first);
    command.addAll(rest);
    return command;
  }
}
