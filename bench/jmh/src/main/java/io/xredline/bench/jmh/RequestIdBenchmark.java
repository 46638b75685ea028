package io.xredline.bench.jmh;

import io.xredline.observability.RequestContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Threads;

import java.util.UUID;

/**
 * A request id for a request that brought none, on two threads (the event loops of a 2-core box):
 * {@code UUID.randomUUID()} (one SecureRandom shared and locked) against the service's
 * ({@link RequestContext#requestIdOrNew}: the thread's own generator).
 */
@Threads(2)
public class RequestIdBenchmark extends HotPathRun {
  @Benchmark
  public String randomUuid() {
    return UUID.randomUUID().toString();
  }

  @Benchmark
  public String service() {
    return RequestContext.requestIdOrNew(null);
  }
}
