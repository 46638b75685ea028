package io.xredline.bench;

import io.xredline.auth.PasswordHashing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the machine's CPU went in a stretch of time, from {@code /proc} (Linux only): this JVM's
 * threads by kind (the service's hashing pool, its event loops, its workers, the JIT, the
 * collector, the bench's own threads), the PostgreSQL and Redis servers, every other process, and
 * idle. Divided by the logins (or hashes) of the stretch it says what one of them cost beside the
 * hash itself. The bench's own threads (raw hashers, login clients) end within the stretch and are
 * gone from {@code /proc} when it is read, so they add their CPU time to {@link #BENCH_THREADS} as
 * they finish.
 */
final class CpuAccount {
  /** CPU nanoseconds of the bench's own pool threads, added by each as it finishes. */
  static final AtomicLong BENCH_THREADS = new AtomicLong();
  /** Clock ticks per second of /proc's utime/stime: 100 on every Linux this runs on. */
  private static final double TICK_MS = 10.0;
  /** A thread's comm is its name cut to 15 characters. */
  private static final String HASHING = PasswordHashing.POOL_NAME.substring(0, Math.min(15, PasswordHashing.POOL_NAME.length()));
  private static final String[] GROUPS = {"hashing pool", "event loops", "Vert.x workers", "JIT", "GC and VM",
      "bench threads", "other JVM threads", "PostgreSQL", "Redis", "other processes", "idle"};

  /** Ticks per live thread id of this JVM, and the totals that are not per thread. */
  private final Map<String, Long> threadTicks;
  private final Map<String, String> threadGroup;
  private final long jvm;
  private final long benchNanos;
  private final long postgres;
  private final long redis;
  private final long busy;
  private final long idle;

  private CpuAccount(Map<String, Long> threadTicks, Map<String, String> threadGroup, long jvm, long benchNanos,
                     long postgres, long redis, long busy, long idle) {
    this.threadTicks = threadTicks;
    this.threadGroup = threadGroup;
    this.jvm = jvm;
    this.benchNanos = benchNanos;
    this.postgres = postgres;
    this.redis = redis;
    this.busy = busy;
    this.idle = idle;
  }

  /** Null off Linux. */
  static CpuAccount now() {
    try {
      long benchNanos = BENCH_THREADS.get();
      Map<String, Long> ticks = new HashMap<>();
      Map<String, String> groups = new HashMap<>();
      long jvm = ticks(Files.readString(Path.of("/proc/self/stat")));
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            String comm = Files.readString(task.resolve("comm")).trim();
            String id = task.getFileName().toString();
            ticks.put(id, ticks(Files.readString(task.resolve("stat"))));
            groups.put(id, group(comm));
          } catch (IOException gone) {
            // a thread that ended between the listing and the read
          }
        }
      }
      long postgres = 0;
      long redis = 0;
      long self = ProcessHandle.current().pid();
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
          p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
        for (Path proc : procs) {
          if (Long.parseLong(proc.getFileName().toString()) == self) {
            continue;
          }
          try {
            String stat = Files.readString(proc.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (name.startsWith("postgres")) {
              postgres += ticks(stat);
            } else if (name.startsWith("redis-server")) {
              redis += ticks(stat);
            }
          } catch (IOException | RuntimeException gone) {
            // a process that ended between the listing and the read
          }
        }
      }
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i <= 8 && i < cpu.length; i++) {
        if (i != 4 && i != 5) { // user nice system (idle iowait) irq softirq steal
          busy += Long.parseLong(cpu[i]);
        }
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
      return new CpuAccount(ticks, groups, jvm, benchNanos, postgres, redis, busy, idle);
    } catch (IOException | RuntimeException notLinux) {
      return null;
    }
  }

  private static String group(String comm) {
    if (comm.startsWith(HASHING)) {
      return "hashing pool";
    } else if (comm.startsWith("vert.x-eventloo")) {
      return "event loops";
    } else if (comm.startsWith("vert.x-")) {
      return "Vert.x workers";
    } else if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
      return "JIT";
    } else if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.startsWith("VM ")) {
      return "GC and VM";
    } else if (comm.startsWith("HttpClient")) {
      return "bench threads";
    }
    return "other JVM threads";
  }

  /** utime + stime of a /proc stat line (fields 14 and 15; the name in parentheses may hold spaces). */
  private static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * CPU milliseconds per unit of work between {@code start} and now ({@code count} logins or
   * hashes), by owner; {@code n/a} off Linux.
   */
  static String perUnit(CpuAccount start, CpuAccount end, long count, String unit) {
    if (start == null || end == null || count <= 0) {
      return "CPU per " + unit + ": n/a";
    }
    Map<String, Double> ms = new LinkedHashMap<>();
    for (String g : GROUPS) {
      ms.put(g, 0.0);
    }
    long live = 0;
    for (Map.Entry<String, Long> e : end.threadTicks.entrySet()) {
      long delta = e.getValue() - start.threadTicks.getOrDefault(e.getKey(), 0L);
      live += delta;
      ms.merge(end.threadGroup.get(e.getKey()), delta * TICK_MS, Double::sum);
    }
    double bench = (end.benchNanos - start.benchNanos) / 1e6;
    ms.merge("bench threads", bench, Double::sum);
    // threads that ended within the stretch and did not count themselves
    double ended = Math.max(0, (end.jvm - start.jvm - live) * TICK_MS - bench);
    ms.merge("other JVM threads", ended, Double::sum);
    long pg = end.postgres - start.postgres;
    long redis = end.redis - start.redis;
    ms.put("PostgreSQL", pg * TICK_MS);
    ms.put("Redis", redis * TICK_MS);
    ms.put("other processes", Math.max(0, end.busy - start.busy - (end.jvm - start.jvm) - pg - redis) * TICK_MS);
    ms.put("idle", (end.idle - start.idle) * TICK_MS);
    StringJoiner line = new StringJoiner(", ", "CPU ms per " + unit + ": ", "");
    ms.forEach((group, total) -> line.add(String.format(Locale.ROOT, "%s %.2f", group, total / count)));
    return line.toString();
  }
}
