package io.xredline.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * {@code xredline_cache_requests_total{cache,result}} for lookups that run inside a Lua script,
 * where {@link CountedRedis} only sees an EVAL: the store that knows what the script found says so.
 */
public final class CacheLookups {
  private CacheLookups() {
  }

  public static void record(String cache, boolean hit) {
    Counter.builder(CountedRedis.COUNTER).description("Redis lookups by cache and result")
        .tag("cache", cache).tag("result", hit ? "hit" : "miss")
        .register(Metrics.globalRegistry).increment();
  }
}
