package io.xredline.plugins;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;


/**
 * The plugin sandbox's check that every bus message passes twice (out and in): is the address a
 * protected one ({@link BusGuard#secret})? In BusGuard's package (the check is package-private),
 * on the addresses a request to /helloworld or /me puts on the bus: a capability address, its
 * pinned twin on one event loop, and the reply address.
 */
@State(Scope.Benchmark)
public class BusGuardBenchmark extends io.xredline.bench.jmh.HotPathRun {
  @Param({"xredline.greeter.say-hello", "xredline.auth.me@loop:vert.x-eventloop-thread-1", "__vertx.reply.4711"})
  public String address;

  @Benchmark
  public boolean secret() {
    return BusGuard.secret(address);
  }
}
