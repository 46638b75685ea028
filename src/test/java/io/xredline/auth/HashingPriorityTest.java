package io.xredline.auth;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.xredline.config.AppConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * auth.password.hashing_nice: digests are computed on threads at that nice value; the hashing pool's
 * Vert.x worker that waits for them, the event loops, and any thread started on a hash's completion
 * keep the process's priority; 0 leaves hashing on the worker. Linux only (a thread's nice value
 * lives in /proc there).
 */
@DisplayName("hashing threads run at a lower CPU priority than the event loops")
class HashingPriorityTest {
  private static final AppConfig.Password ARGON2 = new AppConfig.Password(19456, 2, 1, 1, 0);
  private static Vertx vertx;

  @BeforeAll
  static void linuxWithRenice() {
    assumeTrue(HashingPriority.currentNice().isPresent(), "no /proc/thread-self: not Linux");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Nice values seen by the hashing pool's worker, by the digest threads, on the future's completion and by a thread started there. */
  private record Seen(int worker, int digest, int completion, int startedOnCompletion) {
  }

  private static Seen hashOnce(String pool, int nice) throws Exception {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor(pool, 1);
    AppConfig.Password config = new AppConfig.Password(ARGON2.memoryKib(), ARGON2.iterations(), ARGON2.parallelism(),
        1, nice);
    try (PasswordHashing hashing = new PasswordHashing(config, workers, new SimpleMeterRegistry());
         HashingPriority priority = new HashingPriority(nice, 1)) {
      CompletableFuture<int[]> completion = new CompletableFuture<>();
      vertx.getOrCreateContext().runOnContext(ignored -> hashing.hash("correct horse").onComplete(done -> {
        int here = HashingPriority.currentNice().orElseThrow();
        AtomicInteger started = new AtomicInteger(-100);
        Thread thread = new Thread(() -> started.set(HashingPriority.currentNice().orElseThrow()));
        thread.start();
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (done.succeeded() && PasswordHashing.verifyNow("correct horse", done.result())) {
          completion.complete(new int[] {here, started.get()});
        } else {
          completion.completeExceptionally(new AssertionError("the hash did not verify", done.cause()));
        }
      }));
      int[] onCompletion = completion.get(60, TimeUnit.SECONDS);
      OptionalInt worker = workers.executeBlocking(HashingPriority::currentNice, false)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      int digest = priority.run(() -> HashingPriority.currentNice().orElseThrow());
      return new Seen(worker.orElseThrow(), digest, onCompletion[0], onCompletion[1]);
    } finally {
      workers.close();
    }
  }

  @Test
  @DisplayName("hashing_nice 7: digests at nice 7; the worker, the completion (an event loop) and a thread it starts at the process's")
  void digestsRunAtTheLowerPriority() throws Exception {
    int process = HashingPriority.currentNice().orElseThrow();
    assumeTrue(process < 7, "the process already runs at nice " + process);
    assertThat(hashOnce("priority-test-7", 7)).isEqualTo(new Seen(process, 7, process, process));
    CompletableFuture<OptionalInt> onLoop = new CompletableFuture<>();
    vertx.runOnContext(ignored -> onLoop.complete(HashingPriority.currentNice()));
    assertThat(onLoop.get(10, TimeUnit.SECONDS)).hasValue(process);
    assertThat(HashingPriority.currentNice()).hasValue(process);
  }

  @Test
  @DisplayName("one digest pool per setting for the whole process (each auth instance has its own PasswordHashing); the last to close stops it")
  void digestThreadsAreShared() throws Exception {
    HashingPriority first = new HashingPriority(6, 1);
    HashingPriority second = new HashingPriority(6, 1);
    Thread used = first.run(Thread::currentThread);
    assertThat(second.run(Thread::currentThread)).isSameAs(used);
    try (HashingPriority other = new HashingPriority(5, 1)) {
      assertThat(other.run(Thread::currentThread)).isNotSameAs(used);
    }
    first.close();
    first.close(); // twice is once
    assertThat(second.run(Thread::currentThread)).as("still open for the second").isSameAs(used);
    second.close();
    used.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(used.isAlive()).as("stopped with the last").isFalse();
    try (HashingPriority again = new HashingPriority(6, 1)) {
      assertThat(again.run(Thread::currentThread)).isNotSameAs(used);
    }
  }

  @Test
  @DisplayName("hashing_nice 0: digests run on the pool's worker, at the process's priority")
  void zeroLeavesThemAlone() throws Exception {
    int process = HashingPriority.currentNice().orElseThrow();
    assertThat(hashOnce("priority-test-0", 0)).isEqualTo(new Seen(process, process, process, process));
  }
}
