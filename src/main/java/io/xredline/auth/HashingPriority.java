package io.xredline.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs argon2id at a lower CPU priority than the rest of the process (a higher Linux nice value,
 * {@code auth.password.hashing_nice}), so that during a sign-in flood, when every core is busy
 * hashing, an event loop that wakes up for a health probe or any other request gets a core at once
 * instead of waiting for the scheduler's next slice. Hashing loses nothing when the loops are idle:
 * the scheduler only weighs threads that want the CPU.
 *
 * <p>A Linux thread's nice value is its own ({@code setpriority} on its thread id), Java has no call
 * for it, and raising one's own nice value needs no privilege: each thread here runs {@code renice}
 * on itself once, when it starts. A thread inherits the nice value of the thread that creates it,
 * so these threads only ever compute a digest: the hashing pool's Vert.x worker hands the digest
 * over and waits for it, and completes the caller's future itself. Had a reniced thread completed
 * it, an event loop or worker thread that Vert.x or Netty starts lazily on that completion would
 * have been created by it, and run at its priority. Where renicing cannot be done (not Linux, no
 * {@code renice}, refused), digests run at the process's priority and one line says so.
 *
 * <p>The digest threads are one pool per process and setting, as the Vert.x hashing pool is: every
 * auth verticle instance has its own {@link PasswordHashing}, and all of them together never have
 * more digests in flight than that pool has workers.
 */
final class HashingPriority implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HashingPriority.class);
  private static final Path THREAD_SELF = Path.of("/proc/thread-self");
  private static final AtomicBoolean REPORTED = new AtomicBoolean();
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** The digest pools in use, by nice value and size, with how many instances hold each. */
  private static final Map<String, Shared> SHARED = new HashMap<>();

  private final String key;
  private final ThreadPoolExecutor threads;
  private final AtomicBoolean closed = new AtomicBoolean();

  private static final class Shared {
    final ThreadPoolExecutor threads;
    int users;

    Shared(ThreadPoolExecutor threads) {
      this.threads = threads;
    }
  }

  /** {@code nice} 0: digests run on the calling thread, at the process's priority. */
  HashingPriority(int nice, int poolSize) {
    this.key = nice + "/" + poolSize;
    if (nice == 0) {
      this.threads = null;
      return;
    }
    synchronized (SHARED) {
      Shared shared = SHARED.computeIfAbsent(key, k -> new Shared(newPool(nice, poolSize)));
      shared.users++;
      this.threads = shared.threads;
    }
  }

  private static ThreadPoolExecutor newPool(int nice, int poolSize) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(poolSize, poolSize, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(() -> {
            lower(nice);
            task.run();
          }, PasswordHashing.POOL_NAME + "-nice-" + THREADS.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Computes {@code digest} at the configured priority; the caller (a hashing worker) waits for it. */
  <T> T run(Callable<T> digest) throws Exception {
    if (threads == null) {
      return digest.call();
    }
    try {
      return threads.submit(digest).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The last instance to close a pool stops its threads. */
  @Override
  public void close() {
    if (threads == null || !closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (SHARED) {
      Shared shared = SHARED.get(key);
      if (shared != null && --shared.users == 0) {
        SHARED.remove(key);
        shared.threads.shutdown();
      }
    }
  }

  /** The calling thread's nice value, from /proc; empty where there is none (not Linux). */
  static OptionalInt currentNice() {
    try {
      String stat = Files.readString(THREAD_SELF.resolve("stat"));
      // after the command name in parentheses: state is field 3, nice field 19
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return OptionalInt.of(Integer.parseInt(fields[16]));
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  private static void lower(int nice) {
    String failure = renice(nice);
    if (failure != null && REPORTED.compareAndSet(false, true)) {
      LOG.info("password hashing runs at the process's CPU priority, not at nice {}: {}", nice, failure);
    }
  }

  /** Null when the calling thread now runs at {@code nice} (or was already at it or above), else why not. */
  private static String renice(int nice) {
    OptionalInt before = currentNice();
    if (before.isEmpty()) {
      return "no /proc/thread-self (not Linux)";
    }
    if (before.getAsInt() >= nice) {
      return null; // a process started at a higher nice value keeps it
    }
    try {
      String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
      Process renice = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!renice.waitFor(10, TimeUnit.SECONDS)) {
        renice.destroyForcibly();
        return "renice did not finish";
      }
    } catch (IOException e) {
      return "renice could not be run (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    OptionalInt after = currentNice();
    return after.isPresent() && after.getAsInt() >= nice ? null : "renice was refused";
  }
}
