package io.xredline.bench.jmh;

import io.xredline.observability.RequestContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A request id for a request that brought none, on two threads (the event loops of a 2-core box):
 * {@code UUID.randomUUID()} (one SecureRandom shared and locked) against the service's
 * ({@link RequestContext#requestIdOrNew}: the thread's own generator).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class RequestIdBenchmark {
  @Benchmark
  public String randomUuid() {
    return UUID.randomUUID().toString();
  }

  @Benchmark
  public String service() {
    return RequestContext.requestIdOrNew(null);
  }
}
