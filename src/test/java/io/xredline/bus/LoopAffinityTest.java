package io.xredline.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Same-loop delivery: a sender on a loop with an instance of the capability reaches that instance")
class LoopAffinityTest {
  private static final String ADDRESS = "test.affinity.echo";
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(5_000).setLocalOnly(true);
  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  /** A capability instance: answers with the address it was reached on and the thread it ran on. */
  private static final class Echo extends VerticleBase {
    private final boolean pin;
    private final boolean withdrawOnStop;
    private LoopAffinity.Served pinned;

    Echo(boolean pin, boolean withdrawOnStop) {
      this.pin = pin;
      this.withdrawOnStop = withdrawOnStop;
    }

    @Override
    public Future<?> start() {
      Future<Void> plain = vertx.eventBus().<JsonObject>localConsumer(ADDRESS, Echo::answer).completion();
      if (!pin) {
        return plain;
      }
      pinned = LoopAffinity.pin(vertx, ADDRESS, Echo::answer);
      return Future.all(plain, pinned.completion());
    }

    private static void answer(Message<JsonObject> message) {
      message.reply(new JsonObject().put("address", message.address()).put("thread", Thread.currentThread().getName()));
    }

    @Override
    public Future<?> stop() {
      if (withdrawOnStop) {
        pinned.withdraw();
      }
      return Future.succeededFuture();
    }
  }

  /** Runs {@code call} on an event-loop context of its own and hands back its reply and that loop's thread. */
  private JsonObject fromALoop(Function<Vertx, Future<Message<JsonObject>>> call) throws Exception {
    Promise<JsonObject> done = Promise.promise();
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        String sender = Thread.currentThread().getName();
        call.apply(vertx).map(reply -> reply.body().copy().put("sender", sender)).onComplete(done);
        return Future.succeededFuture();
      }
    }));
    return await(done.future());
  }

  private static Future<Message<JsonObject>> request(Vertx vertx) {
    return LoopAffinity.request(vertx.eventBus(), ADDRESS, new JsonObject(), OPTIONS);
  }

  @Test
  @DisplayName("one loop: the request goes to the pinned address and runs on the sender's own thread")
  void sameLoop() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    await(vertx.deployVerticle(new Echo(true, true)));
    JsonObject reply = fromALoop(LoopAffinityTest::request);
    assertThat(reply.getString("address")).isEqualTo(LoopAffinity.pinned(ADDRESS, reply.getString("sender")));
    assertThat(reply.getString("thread")).isEqualTo(reply.getString("sender"));
  }

  @Test
  @DisplayName("from a thread that is no event loop, and on a loop without an instance, the plain address serves")
  void elsewhereThePlainAddress() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    await(vertx.deployVerticle(new Echo(true, true)));
    JsonObject fromTestThread = await(request(vertx)).body();
    assertThat(fromTestThread.getString("address")).isEqualTo(ADDRESS);
    // contexts take the two loops in turn: a few senders land on both, the instance's and the other
    boolean otherLoopSeen = false;
    for (int i = 0; i < 4; i++) {
      JsonObject reply = fromALoop(LoopAffinityTest::request);
      boolean sameLoop = reply.getString("sender").equals(reply.getString("thread"));
      otherLoopSeen |= !sameLoop;
      assertThat(reply.getString("address"))
          .isEqualTo(sameLoop ? LoopAffinity.pinned(ADDRESS, reply.getString("sender")) : ADDRESS);
    }
    assertThat(otherLoopSeen).as("a sender on the loop without an instance").isTrue();
  }

  @Test
  @DisplayName("a withdrawn instance is no longer chosen; one gone without withdrawing is bypassed, nothing is lost")
  void withdrawnAndGone() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    String withdrawing = await(vertx.deployVerticle(new Echo(true, true)));
    await(vertx.undeploy(withdrawing));
    await(vertx.deployVerticle(new Echo(false, false)));
    assertThat(fromALoop(LoopAffinityTest::request).getString("address")).isEqualTo(ADDRESS);

    // an instance that vanished without withdrawing leaves its registry entry behind: the request
    // finds no handler there and is sent once more to the plain address
    String vanishing = await(vertx.deployVerticle(new Echo(true, false)));
    assertThat(fromALoop(LoopAffinityTest::request).getString("address")).contains("@loop:");
    await(vertx.undeploy(vanishing));
    JsonObject reply = fromALoop(LoopAffinityTest::request);
    assertThat(reply.getString("address")).isEqualTo(ADDRESS);
  }

  @Test
  @DisplayName("two instances on one loop: withdrawing one keeps the loop pinned for the other")
  void countedPerLoop() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    String first = await(vertx.deployVerticle(new Echo(true, true)));
    await(vertx.deployVerticle(new Echo(true, true)));
    await(vertx.undeploy(first));
    assertThat(fromALoop(LoopAffinityTest::request).getString("address")).contains("@loop:");
  }

  @Test
  @DisplayName("a failure of the capability itself is not retried on the plain address")
  void recipientFailureIsFinal() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    int[] calls = new int[1];
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return Future.all(vertx.eventBus().localConsumer(ADDRESS, m -> m.fail(409, "plain")).completion(),
            LoopAffinity.pin(vertx, ADDRESS, m -> {
              calls[0]++;
              m.fail(409, "pinned");
            }).completion());
      }
    }));
    Throwable failure = await(fromALoopFailure());
    assertThat(failure).hasMessage("pinned");
    assertThat(calls[0]).isEqualTo(1);
  }

  private Future<Throwable> fromALoopFailure() throws Exception {
    Promise<Throwable> done = Promise.promise();
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        request(vertx).onComplete(ok -> done.fail("expected a failure"), done::complete);
        return Future.succeededFuture();
      }
    }));
    return done.future();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
