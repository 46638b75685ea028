package io.xredline.bench.jmh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.LoopAffinity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.CompletableFuture;

/**
 * One capability request-reply as a transport makes it (LoopAffinity.request, from an event loop):
 * to the instance pinned on the sender's own loop, against the same request from a loop with no
 * instance, which the bus hands to the other loop and back. {@value #CHAIN} requests in a row per
 * invocation, each sent when the previous reply arrived, so the hand-off to the benchmark thread
 * is paid once per chain, not per request.
 */
@State(Scope.Benchmark)
public class LoopAffinityBenchmark extends HotPathRun {
  static final int CHAIN = 100;
  private static final String ADDRESS = "jmh.affinity";
  private final DeliveryOptions local = new DeliveryOptions().setLocalOnly(true).setSendTimeout(5000);
  private final JsonObject body = new JsonObject().put("authorization", "Bearer x");
  private Vertx vertx;
  private Context sameLoop;
  private Context otherLoop;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Promise<String> capabilityLoop = Promise.promise();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        capabilityLoop.complete(Thread.currentThread().getName());
        return Future.all(vertx.eventBus().<JsonObject>localConsumer(ADDRESS, m -> m.reply(m.body())).completion(),
            LoopAffinity.<JsonObject>pin(vertx, ADDRESS, m -> m.reply(m.body())).completion());
      }
    }).await();
    String capability = capabilityLoop.future().await();
    // contexts take the two loops in turn: deploy until one of each kind is known
    while (sameLoop == null || otherLoop == null) {
      Promise<Context> placed = Promise.promise();
      vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          placed.complete(context);
          return Future.succeededFuture();
        }
      }).await();
      Context context = placed.future().await();
      String[] thread = new String[1];
      CompletableFuture<Void> read = new CompletableFuture<>();
      context.runOnContext(v -> {
        thread[0] = Thread.currentThread().getName();
        read.complete(null);
      });
      read.join();
      if (thread[0].equals(capability)) {
        sameLoop = context;
      } else {
        otherLoop = context;
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close().await();
  }

  private void chain(int left, CompletableFuture<Void> done) {
    LoopAffinity.<JsonObject>request(vertx.eventBus(), ADDRESS, body, local).onComplete(reply -> {
      if (left == 1) {
        done.complete(null);
      } else {
        chain(left - 1, done);
      }
    }, done::completeExceptionally);
  }

  private Void run(Context on) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    on.runOnContext(v -> chain(CHAIN, done));
    return done.join();
  }

  @Benchmark
  @OperationsPerInvocation(CHAIN)
  public Void sameLoop() {
    return run(sameLoop);
  }

  @Benchmark
  @OperationsPerInvocation(CHAIN)
  public Void otherLoop() {
    return run(otherLoop);
  }
}
