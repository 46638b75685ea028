package io.xredline.plugins;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The plugin sandbox's check that every bus message passes twice (out and in): is the address a
 * protected one ({@link BusGuard#secret})? In BusGuard's package (the check is package-private),
 * on the addresses a request to /helloworld or /me puts on the bus: a capability address, its
 * pinned twin on one event loop, and the reply address.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BusGuardBenchmark {
  @Param({"xredline.greeter.say-hello", "xredline.auth.me@loop:vert.x-eventloop-thread-1", "__vertx.reply.4711"})
  public String address;

  @Benchmark
  public boolean secret() {
    return BusGuard.secret(address);
  }
}
