package io.xredline.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.xredline.auth.store.AuthRedis;
import io.xredline.auth.store.CaptchaStore;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.TokenFamilies;
import io.xredline.config.AppConfig;
import io.xredline.data.CacheLookups;
import io.xredline.data.RedisClients;
import io.xredline.testing.RedisTopology;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: EVAL versus EVALSHA on the Redis part of a sign-in, in one run, on the real stores.
 * One "login" is what a successful sign-in asks of Redis: the captcha issued (script), the lockout
 * read (script), the captcha consumed (script), the failure count reset (DEL), the session created
 * (script). {@code EVAL} runs the same stores through a client that answers every EVALSHA with
 * NOSCRIPT on the spot, so each call ships its script body as the code did before EVALSHA; the
 * password hash, which dominates a whole HTTP login, is left out on purpose: it does not change.
 * Rounds alternate between the modes so drift on a shared machine hits both. Prints logins/s,
 * latency per login and bytes sent per login for each, and the ratios.
 *
 * <pre>
 * mvn -B -q -DskipTests test-compile
 * mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
 * java -cp target/classes:target/test-classes:$(cat target/bench.classpath) io.xredline.bench.ScriptBench \
 *   [SECONDS_PER_ROUND=5] [ROUNDS=4] [CONCURRENCY=16] [standalone|cluster]
 * </pre>
 * {@code standalone} uses the test Redis (as the suite finds it), {@code cluster} spawns a 3-master
 * Redis Cluster with {@link RedisTopology}.
 */
public final class ScriptBench {
  private ScriptBench() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    boolean cluster = args.length > 3 && args[3].equals("cluster");
    RedisTopology topology = cluster ? RedisTopology.cluster(3, 1, 5_000) : null;
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, String> overrides = new HashMap<>(topology != null ? topology.appOverrides()
          : Map.of("data.redis.url", TestBackends.redisUrl()));
      overrides.put("data.redis.key_prefix", TestBackends.freshKeyPrefix("scriptbench"));
      AppConfig.Redis config = TestApp.config(overrides).data().redis();
      Redis redis = RedisClients.client(vertx, config, config.url());
      RedisKeys keys = new RedisKeys(config.keyPrefix());
      Counting sha = new Counting(redis, false);
      Counting body = new Counting(redis, true);
      System.out.printf(Locale.ROOT, "Redis %s; %d rounds of %d s per mode, %d logins in flight%n",
          cluster ? "Cluster (3 masters, spawned)" : "standalone " + config.url(), rounds, seconds, concurrency);

      List<Round> evalsha = new ArrayList<>();
      List<Round> eval = new ArrayList<>();
      run(vertx, sha, keys, 1, concurrency, Long.MAX_VALUE);
      run(vertx, body, keys, 1, concurrency, Long.MAX_VALUE);
      // bytes are counted apart from the timed rounds (encoding a request twice would tax EVAL more),
      // over a fixed number of logins, one at a time, so nothing in flight blurs the count
      double shaBytes = run(vertx, sha.counting(true), keys, 600, 1, COUNTED_LOGINS).bytesPerLogin();
      double bodyBytes = run(vertx, body.counting(true), keys, 600, 1, COUNTED_LOGINS).bytesPerLogin();
      sha.counting(false);
      body.counting(false);
      System.out.printf(Locale.ROOT, "counted pass: %d logins per mode; %d EVAL fallbacks after NOSCRIPT in EVALSHA mode%n",
          COUNTED_LOGINS, sha.bodies.get());
      for (int r = 0; r < rounds; r++) {
        boolean shaFirst = r % 2 == 0;
        Round first = run(vertx, shaFirst ? sha : body, keys, seconds, concurrency, Long.MAX_VALUE);
        Round second = run(vertx, shaFirst ? body : sha, keys, seconds, concurrency, Long.MAX_VALUE);
        (shaFirst ? evalsha : eval).add(first);
        (shaFirst ? eval : evalsha).add(second);
      }
      System.out.printf(Locale.ROOT, "rounds (logins/s)  EVAL: %s   EVALSHA: %s%n", Round.list(eval), Round.list(evalsha));
      Round s = Round.median(evalsha).withBytes(shaBytes);
      Round e = Round.median(eval).withBytes(bodyBytes);
      System.out.printf(Locale.ROOT, "EVAL     %9.1f logins/s  p50 %6.2f ms  p99 %6.2f ms  %6.0f bytes sent per login%n",
          e.perSecond(), e.p50(), e.p99(), e.bytesPerLogin());
      System.out.printf(Locale.ROOT, "EVALSHA  %9.1f logins/s  p50 %6.2f ms  p99 %6.2f ms  %6.0f bytes sent per login%n",
          s.perSecond(), s.p50(), s.p99(), s.bytesPerLogin());
      System.out.printf(Locale.ROOT, "RATIO EVALSHA/EVAL: throughput %.2fx, p50 %.2fx, bytes %.2fx%n",
          s.perSecond() / e.perSecond(), s.p50() / e.p50(), s.bytesPerLogin() / e.bytesPerLogin());
      redis.close();
    } finally {
      vertx.close();
      if (topology != null) {
        topology.close();
      }
    }
    System.exit(0);
  }

  private record Round(double perSecond, double p50, double p99, double bytesPerLogin) {
    Round withBytes(double bytes) {
      return new Round(perSecond, p50, p99, bytes);
    }

    static String list(List<Round> rounds) {
      return String.join(" ", rounds.stream().map(r -> String.format(Locale.ROOT, "%.0f", r.perSecond())).toList());
    }

    static Round median(List<Round> rounds) {
      List<Round> sorted = new ArrayList<>(rounds);
      sorted.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
      return sorted.get(sorted.size() / 2);
    }
  }

  private static final long COUNTED_LOGINS = 500;

  private static Round run(Vertx vertx, Counting client, RedisKeys keys, int seconds, int concurrency, long logins)
      throws Exception {
    RedisAPI api = RedisAPI.api(client);
    CaptchaStore captchas = new CaptchaStore(new AuthRedis(api, keys, CacheLookups.of(vertx, "")));
    LoginAttempts attempts = new LoginAttempts(api, keys, 5, Duration.ofMinutes(15), Duration.ofMinutes(30), 100,
        Duration.ofDays(1), Duration.ofSeconds(30));
    TokenFamilies families = new TokenFamilies(new AuthRedis(api, keys, CacheLookups.of(vertx, "")));
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong sequence = new AtomicLong();
    long bytesBefore = client.bytes.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      vertx.runOnContext(v -> loop(captchas, attempts, families, sequence, logins, latencies, deadline, done));
    }
    done.await(seconds + 60L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    int n = sorted.size();
    return new Round(n / elapsed, sorted.get(n / 2), sorted.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)),
        (client.bytes.get() - bytesBefore) / (double) n);
  }

  private static void loop(CaptchaStore captchas, LoginAttempts attempts, TokenFamilies families, AtomicLong sequence,
                           long logins, List<Double> latencies, long deadline, CountDownLatch done) {
    long n = sequence.incrementAndGet();
    if (System.nanoTime() > deadline || n > logins) {
      done.countDown();
      return;
    }
    long userId = 1_000_000 + n % 10_000;
    String account = RedisKeys.account(userId);
    String captchaId = "bench-" + n;
    long begin = System.nanoTime();
    LoginAttempts.Attempt attempt = new LoginAttempts.Attempt(account, RedisKeys.digest("bench|" + userId), true);
    captchas.create(captchaId, "ABC123", Duration.ofMinutes(5), null)
        .compose(v -> attempts.reserve(attempt))
        .compose(reservation -> captchas.check(captchaId, "ABC123", 5, null)
            .compose(ok -> attempts.succeed(attempt, reservation)))
        .compose(v -> families.create("fam-" + n, userId, "jti-" + n, 60_000, "10.0.0.1", "bench"))
        .onComplete(r -> {
          if (r.failed()) {
            System.err.println("bench login failed: " + r.cause());
            done.countDown();
            return;
          }
          latencies.add((System.nanoTime() - begin) / 1e6);
          loop(captchas, attempts, families, sequence, logins, latencies, deadline, done);
        });
  }

  /**
   * Counts what is sent ({@link Request#toString()} is the command as it goes on the wire) and, in
   * EVAL mode, answers EVALSHA with NOSCRIPT without asking Redis, so the stores fall back to EVAL
   * on every call.
   */
  private static final class Counting implements Redis {
    private final Redis delegate;
    private final boolean shipBodies;
    private volatile boolean counting;
    final AtomicLong bytes = new AtomicLong();
    /** EVALs sent: in EVALSHA mode, the NOSCRIPT fallbacks. */
    final AtomicLong bodies = new AtomicLong();

    Counting(Redis delegate, boolean shipBodies) {
      this.delegate = delegate;
      this.shipBodies = shipBodies;
    }

    Counting counting(boolean on) {
      counting = on;
      return this;
    }

    @Override
    public Future<Response> send(Request request) {
      if (shipBodies && request.command() == Command.EVALSHA) {
        return Future.failedFuture("NOSCRIPT (bench: ship the script body)");
      }
      if (counting) {
        bytes.addAndGet(request.toString().length());
        if (request.command() == Command.EVAL) {
          bodies.incrementAndGet();
        }
      }
      return delegate.send(request);
    }

    @Override
    public Future<RedisConnection> connect() {
      return delegate.connect();
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
      if (counting) {
        requests.forEach(r -> bytes.addAndGet(r.toString().length()));
      }
      return delegate.batch(requests);
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
