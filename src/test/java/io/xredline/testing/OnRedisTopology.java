package io.xredline.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a test class against a real Redis topology instead of the standalone test server: every
 * {@link TestApp} the class starts is configured for it. The topology is started once per test run
 * and shared by every class that asks for the same kind (they use distinct key prefixes); it is
 * killed when the run ends, failed or not. Tests that break a topology on purpose start their own.
 * <pre>{@code @ExtendWith(OnRedisTopology.Cluster.class) class LoginOnRedisClusterTest extends LoginTest {}}</pre>
 */
public abstract class OnRedisTopology implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OnRedisTopology.class);
  /** Long enough that a busy machine never fails a master over by accident. */
  private static final long SHARED_TIMEOUT_MS = 5_000;

  abstract RedisTopology.Kind kind();

  @Override
  public void beforeAll(ExtensionContext context) {
    TestBackends.useRedisTopology(shared(context, kind()).appOverrides());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestBackends.useStandaloneRedis();
  }

  /** A {@link RedisTopology} parameter (e.g. of a {@code @BeforeAll} method) receives the shared topology. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisTopology.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context, kind());
  }

  public static RedisTopology shared(ExtensionContext context, RedisTopology.Kind kind) {
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(kind, k -> switch (kind) {
      case CLUSTER -> RedisTopology.cluster(3, 1, SHARED_TIMEOUT_MS);
      case SENTINEL -> RedisTopology.sentinel(1, 3, SHARED_TIMEOUT_MS);
    }, RedisTopology.class);
  }

  /** A 3-master Redis Cluster, one replica each. */
  public static final class Cluster extends OnRedisTopology {
    @Override
    RedisTopology.Kind kind() {
      return RedisTopology.Kind.CLUSTER;
    }
  }

  /** One master, one replica, three sentinels. */
  public static final class Sentinel extends OnRedisTopology {
    @Override
    RedisTopology.Kind kind() {
      return RedisTopology.Kind.SENTINEL;
    }
  }
}
