package io.xredline.testing;

import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.Lifespan;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.Store;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

/**
 * The jqwik twin of JUnit's {@code @Timeout}: the suite's 30 s default
 * ({@code junit.jupiter.execution.timeout.default}) belongs to the Jupiter engine and never reaches
 * jqwik properties, yet a property must not be able to hang the build either. Past the bound no
 * further try starts and the property fails. Each try has to be bounded by itself (every request a
 * property sends has its own timeout), so this bounds the whole property. Say at the use why it is long.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@AddLifecycleHook(PropertyTimeout.Hook.class)
public @interface PropertyTimeout {
  /** Seconds the whole property (all its tries and its shrinking) may take. */
  long seconds();

  final class Hook implements AroundPropertyHook, AroundTryHook {
    private static final String DEADLINE = "xredline.property-deadline";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
      long seconds = context.findAnnotation(PropertyTimeout.class).map(PropertyTimeout::seconds).orElse(30L);
      Store<Long> deadline = Store.create(DEADLINE, Lifespan.PROPERTY, () -> System.nanoTime() + seconds * 1_000_000_000L);
      deadline.get();
      PropertyExecutionResult result = property.execute();
      if (System.nanoTime() > deadline.get()) {
        return result.mapToFailed("property did not finish within its @PropertyTimeout of " + seconds + " s ("
            + result.countTries() + " tries ran)");
      }
      return result;
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
      Store<Long> deadline = Store.get(DEADLINE);
      if (System.nanoTime() > deadline.get()) {
        // finish early: aroundProperty turns the property into a failure
        return TryExecutionResult.satisfied(true);
      }
      return aTry.execute(parameters);
    }
  }
}
