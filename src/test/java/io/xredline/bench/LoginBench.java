package io.xredline.bench;

import io.vertx.core.json.JsonObject;
import io.xredline.auth.PasswordHashing;
import io.xredline.config.AppConfig;
import io.xredline.observability.LogSetup;
import io.xredline.testing.TestApp;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: {@code scripts/bench login}. Measures, in one run on this machine, (1) raw argon2id
 * verifications per second on as many threads as the service's hashing pool, (2) successful logins
 * per second through the whole service (HTTP → bus → PostgreSQL/Redis → argon2id → JWT), and (3)
 * {@code /healthz/live} latency idle and during the login flood. (1) and (2) alternate in rounds.
 * Prints the ratios.
 */
public final class LoginBench {
  private static final String PASSWORD = "Bench-Password-4711";
  private static final int RAW_WARMUP_SECONDS = 15;

  private LoginBench() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    Map<String, String> overrides = new java.util.HashMap<>(Map.of("auth.captcha.enabled", "false",
        "server.http.instances", "2"));
    String pool = System.getenv("BENCH_HASHING_POOL");
    if (pool != null && !pool.isBlank()) {
      overrides.put("auth.password.hashing_pool_size", pool.trim());
    }
    String nice = System.getenv("BENCH_HASHING_NICE");
    if (nice != null && !nice.isBlank()) {
      overrides.put("auth.password.hashing_nice", nice.trim());
    }
    TestApp app = TestApp.start("bench", overrides);
    // as scripts/bench http runs the servers: warn, unless BENCH_LOG_LEVEL says otherwise (info writes
    // an access line per login; the embedded app does not go through Main, which applies log.level)
    String level = System.getenv().getOrDefault("BENCH_LOG_LEVEL", "warn").trim();
    LogSetup.level(level);
    try {
      AppConfig.Password pw = app.config().auth().password();
      PasswordHashing.Params params = new PasswordHashing.Params(pw.memoryKib(), pw.iterations(), pw.parallelism());
      System.out.printf(Locale.ROOT, "machine: %d cores; argon2id m=%d KiB t=%d p=%d; hashing pool %d at nice %d; %d s per phase; %d clients; log level %s%n",
          Runtime.getRuntime().availableProcessors(), pw.memoryKib(), pw.iterations(), pw.parallelism(),
          pw.hashingPoolSize(), pw.hashingNice(), seconds, concurrency, level);

      // both sides warm up first, as the http benchmarks warm up each route: the sign-in path is code
      // the JIT has not compiled yet, and in a cold 15 s its compiler threads took an eighth of the machine
      int warmup = Math.max(1, Integer.parseInt(System.getenv().getOrDefault("BENCH_LOGIN_WARMUP",
          "45")));
      // the measured time is cut into rounds that alternate raw hashing and logins (A B, B A, ...):
      // this machine's speed has changed by half within minutes, and two phases one after the other
      // measured two different machines
      int rounds = Math.max(1, Integer.parseInt(System.getenv().getOrDefault("BENCH_LOGIN_ROUNDS", "3")));
      int slice = Math.max(3, seconds / rounds);
      // raw hashing is one loop the JIT has compiled within seconds; the sign-in path is hundreds of
      // methods each called a few times per login, which reach the last tier only after thousands of logins
      rawHashing(params, pw.hashingPoolSize(), Math.min(warmup, RAW_WARMUP_SECONDS));

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String users = register(app, http, concurrency);
      Latencies idle = probeLive(app, seconds / 3 + 1, null);
      System.out.printf(Locale.ROOT, "/healthz/live idle:         p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms (%d probes)%n",
          idle.p(50), idle.p(99), idle.max(), idle.count());

      Flood warm = flood(app, http, users, concurrency, System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup));
      System.out.printf(Locale.ROOT, "warm-up logins:             %8.1f /s (%d ok, %d failed, %d s, not counted)%n",
          warm.ok() / warm.elapsed(), warm.ok(), warm.failed(), warmup);

      Hashes hashes = new Hashes(0, 0);
      Flood logins = new Flood(0, 0, 0);
      List<Double> probes = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        Hashes h = null;
        Flood f = null;
        Spent rawSpent = null;
        Spent loginSpent = null;
        CpuAccount rawCpu = null;
        CpuAccount loginCpu = null;
        CpuAccount rawCpuBefore = null;
        CpuAccount loginCpuBefore = null;
        for (int side = 0; side < 2; side++) {
          Spent before = Spent.now();
          CpuAccount cpuBefore = CpuAccount.now();
          if ((side == 0) == (round % 2 == 1)) {
            h = rawHashing(params, pw.hashingPoolSize(), slice);
            rawSpent = Spent.now().minus(before);
            rawCpu = CpuAccount.now();
            rawCpuBefore = cpuBefore;
          } else {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(slice);
            Flood[] measured = new Flood[1];
            // the probes run while the logins do, until the same deadline
            Thread loginFlood = new Thread(() -> measured[0] = flood(app, http, users, concurrency, deadline));
            loginFlood.start();
            probes.addAll(probeLive(app, slice, deadline).ms());
            loginFlood.join();
            f = measured[0];
            loginSpent = Spent.now().minus(before);
            loginCpu = CpuAccount.now();
            loginCpuBefore = cpuBefore;
          }
        }
        System.out.printf(Locale.ROOT, "round %d: raw %6.1f /s, logins %6.1f /s (%d failed), ratio %.2f"
                + "   JIT raw %s, logins %s; GC pauses raw %s, logins %s%n",
            round, h.rate(), f.ok() / f.elapsed(), f.failed(), f.ok() / f.elapsed() / h.rate(),
            rawSpent.jitShare(), loginSpent.jitShare(), rawSpent.gcShare(), loginSpent.gcShare());
        // raw: the bench threads are the hashers; logins: they are the HTTP clients
        System.out.println("  raw:    " + CpuAccount.perUnit(rawCpuBefore, rawCpu, h.done(), "hash"));
        System.out.println("  logins: " + CpuAccount.perUnit(loginCpuBefore, loginCpu, f.ok(), "login"));
        hashes = hashes.plus(h);
        logins = logins.plus(f);
      }
      Collections.sort(probes);
      Latencies flood = new Latencies(probes);
      double raw = hashes.rate();
      double rate = logins.ok() / logins.elapsed();
      System.out.printf(Locale.ROOT, "raw argon2id verify:        %8.1f /s (%d threads, %d rounds of %d s)%n",
          raw, pw.hashingPoolSize(), rounds, slice);
      System.out.printf(Locale.ROOT, "login through the service:  %8.1f /s (%d ok, %d failed, %.1f s)%n",
          rate, logins.ok(), logins.failed(), logins.elapsed());
      System.out.printf(Locale.ROOT, "/healthz/live under flood:  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms (%d probes)%n",
          flood.p(50), flood.p(99), flood.max(), flood.count());
      System.out.printf(Locale.ROOT, "RATIO login/raw-hash: %.2f   live p99 flood/idle: %.1fx%n",
          rate / raw, flood.p(99) / Math.max(0.001, idle.p(99)));
    } finally {
      app.close();
    }
    System.exit(0);
  }

  /**
   * What the JVM spent in a stretch of time: its CPU, its JIT compiler threads' CPU (from /proc, Linux
   * only; -1 elsewhere) and the collectors' pause time, so each round says how much of it the JIT and
   * the GC took from hashing.
   */
  private record Spent(long wallNanos, long cpuTicks, long jitTicks, long gcMillis) {
    static Spent now() {
      long cpu = -1;
      long jit = -1;
      try {
        cpu = ticks(Files.readString(Path.of("/proc/self/stat")));
        jit = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
          for (Path task : (Iterable<Path>) tasks::iterator) {
            try {
              String comm = Files.readString(task.resolve("comm")).trim();
              if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                jit += ticks(Files.readString(task.resolve("stat")));
              }
            } catch (IOException gone) {
              // a compiler thread that ended between the listing and the read
            }
          }
        }
      } catch (IOException | RuntimeException notLinux) {
        jit = -1;
      }
      long gc = 0;
      for (var collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        gc += Math.max(0, collector.getCollectionTime());
      }
      return new Spent(System.nanoTime(), cpu, jit, gc);
    }

    /** utime + stime of a /proc stat line (fields 14 and 15; the name in parentheses may hold spaces). */
    private static long ticks(String stat) {
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    Spent minus(Spent start) {
      return new Spent(wallNanos - start.wallNanos, cpuTicks - start.cpuTicks, jitTicks - start.jitTicks,
          gcMillis - start.gcMillis);
    }

    /** The JIT's share of the process's CPU. */
    String jitShare() {
      return jitTicks < 0 || cpuTicks <= 0 ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100.0 * jitTicks / cpuTicks);
    }

    /** The share of wall time the collectors paused (or, for concurrent ones, worked). */
    String gcShare() {
      return String.format(Locale.ROOT, "%.1f %%", 100.0 * gcMillis / Math.max(1, wallNanos / 1_000_000));
    }
  }

  private record Flood(long ok, long failed, double elapsed) {
    Flood plus(Flood other) {
      return new Flood(ok + other.ok, failed + other.failed, elapsed + other.elapsed);
    }
  }

  private record Hashes(long done, double elapsed) {
    double rate() {
      return done / elapsed;
    }

    Hashes plus(Hashes other) {
      return new Hashes(done + other.done, elapsed + other.elapsed);
    }
  }

  /** {@code concurrency} clients signing in back to back until {@code deadline}, each with its own account. */
  private static Flood flood(TestApp app, HttpClient http, String users, int concurrency, long deadline) {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService clients = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      String username = users + c;
      clients.submit(() -> {
        while (System.nanoTime() < deadline) {
          HttpResponse<String> r = post(app, http, "/api/v1/auth/login",
              new JsonObject().put("username", username).put("password", PASSWORD));
          (r != null && r.statusCode() == 200 ? ok : failed).incrementAndGet();
        }
        countCpu();
      });
    }
    clients.shutdown();
    try {
      // logins still in flight at the deadline finish and count, as they did before
      clients.awaitTermination(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new Flood(ok.get(), failed.get(), (System.nanoTime() - start) / 1e9);
  }

  /** A bench pool thread, about to end, adds its CPU time to {@link CpuAccount#BENCH_THREADS}. */
  private static void countCpu() {
    long nanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    if (nanos > 0) {
      CpuAccount.BENCH_THREADS.addAndGet(nanos);
    }
  }

  private static Hashes rawHashing(PasswordHashing.Params params, int threads, int seconds) throws Exception {
    String phc = PasswordHashing.hashNow(PASSWORD, params);
    for (int i = 0; i < 3; i++) {
      PasswordHashing.verifyNow(PASSWORD, phc);
    }
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong named = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads,
        task -> new Thread(task, "bench-raw-hash-" + named.incrementAndGet()));
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      pool.submit(() -> {
        while (System.nanoTime() < deadline) {
          PasswordHashing.verifyNow(PASSWORD, phc);
          done.incrementAndGet();
        }
        countCpu();
      });
    }
    pool.shutdown();
    pool.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
    return new Hashes(done.get(), (System.nanoTime() - start) / 1e9);
  }

  private static String register(TestApp app, HttpClient http, int count) {
    String stem = "bench" + Long.toString(System.nanoTime() % 1_000_000, 36) + "_";
    for (int i = 0; i < count; i++) {
      HttpResponse<String> r = post(app, http, "/api/v1/auth/register", new JsonObject().put("username", stem + i)
          .put("password", PASSWORD).put("email", stem + i + "@bench.example.com"));
      if (r == null || r.statusCode() != 201) {
        throw new IllegalStateException("registration failed: " + (r == null ? "no answer" : r.body()));
      }
    }
    return stem;
  }

  private static HttpResponse<String> post(TestApp app, HttpClient http, String path, JsonObject body) {
    try {
      return http.send(HttpRequest.newBuilder(app.uri(path)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  private record Latencies(List<Double> ms) {
    double p(int percentile) {
      if (ms.isEmpty()) {
        return Double.NaN;
      }
      int index = (int) Math.ceil(percentile / 100.0 * ms.size()) - 1;
      return ms.get(Math.max(0, Math.min(ms.size() - 1, index)));
    }

    double max() {
      return ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1);
    }

    int count() {
      return ms.size();
    }
  }

  /**
   * One probe every 20 ms, each on a new connection, as a kubelet sends them (its prober turns
   * keep-alive off), over a plain socket: the JDK's HTTP client, used before, added its own
   * threads' hand-offs and an h2c upgrade offer to every probe, and its idle p99 alone was above
   * 10 ms on this machine. What is timed here is connect, request and the whole response.
   */
  private static Latencies probeLive(TestApp app, int seconds, Long until) throws InterruptedException {
    List<Double> ms = new ArrayList<>();
    long deadline = until != null ? until : System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    byte[] request = ("GET /healthz/live HTTP/1.1\r\nHost: 127.0.0.1:" + app.httpPort()
        + "\r\nUser-Agent: kube-probe/1.31\r\nAccept: */*\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    while (System.nanoTime() < deadline) {
      long t0 = System.nanoTime();
      ms.add(probeOnce(app.httpPort(), request) ? (System.nanoTime() - t0) / 1e6 : 10_000.0);
      Thread.sleep(20);
    }
    Collections.sort(ms);
    return new Latencies(ms);
  }

  /** True when the answer is a 200 read to its end (the server closes: {@code Connection: close}). */
  private static boolean probeOnce(int port, byte[] request) {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.getOutputStream().write(request);
      InputStream in = socket.getInputStream();
      byte[] answer = in.readAllBytes();
      String head = new String(answer, 0, Math.min(answer.length, 16), StandardCharsets.US_ASCII);
      return head.startsWith("HTTP/1.1 200 ");
    } catch (IOException e) {
      return false;
    }
  }
}
