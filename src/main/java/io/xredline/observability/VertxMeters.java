package io.xredline.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * vertx-micrometer's Vert.x metrics with two changes on the hot paths, series unchanged:
 * <ul>
 *   <li>the HTTP server's request meters come from {@link HttpServerMeters} (resolved once per
 *       series, not looked up five times per request), when the labels are the service's;</li>
 *   <li>the event bus's meters come from {@link BusMeters} (resolved once per address and side, not
 *       looked up up to four times per message), and a message to a qualified bus address
 *       {@code A@…} (bus.LoopAffinity) is counted under {@code A} there. The registry's filter labels
 *       such meters {@code A} too, but Micrometer only remembers a filtered id it created itself, so
 *       every message to {@code A@…} would go through the whole filter chain. The filter still
 *       names a pinned handler's own meters, which are resolved once when it registers.</li>
 * </ul>
 */
public final class VertxMeters {
  private VertxMeters() {
  }

  /** vertx-micrometer's factory for {@code registry}, with the changes above (Telemetry installs it). */
  public static VertxMetricsFactory factory(MeterRegistry registry) {
    MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    return new VertxMetricsFactory() {
      @Override
      public VertxMetrics metrics(VertxOptions options) {
        VertxMetrics delegate = micrometer.metrics(options);
        MetricsOptions metricsOptions = options.getMetricsOptions();
        HttpServerMeters http = null;
        BusMeters bus = null;
        if (metricsOptions instanceof MicrometerMetricsOptions micrometerOptions) {
          if (micrometerOptions.getLabels().stream().noneMatch(HttpServerMeters.UNSUPPORTED::contains)
              && micrometerOptions.getServerRequestTagsProvider() == null
              && !micrometerOptions.isMetricsCategoryDisabled(MetricsDomain.HTTP_SERVER)) {
            http = new HttpServerMeters(registry, micrometerOptions);
          }
          if (!micrometerOptions.isMetricsCategoryDisabled(MetricsDomain.EVENT_BUS)) {
            bus = new BusMeters(registry, micrometerOptions);
          }
        }
        return new Metrics(delegate, http, bus);
      }

      @Override
      public MetricsOptions newOptions() {
        return micrometer.newOptions();
      }

      @Override
      public MetricsOptions newOptions(MetricsOptions options) {
        return micrometer.newOptions(options);
      }

      @Override
      public MetricsOptions newOptions(JsonObject json) {
        return micrometer.newOptions(json);
      }
    };
  }

  /** {@code address} without its qualifier ({@link Telemetry#ADDRESS_QUALIFIER}), or itself when it has none. */
  static String plain(String address) {
    String plain = Telemetry.unqualified(address);
    return plain == null ? address : plain;
  }

  /** vertx-micrometer's metrics, with the HTTP server's request meters and the bus's meters ours (each when not null). */
  private static final class Metrics implements VertxMetrics {
    private final VertxMetrics delegate;
    private final HttpServerMeters http;
    private final BusMeters bus;

    Metrics(VertxMetrics delegate, HttpServerMeters http, BusMeters bus) {
      this.delegate = delegate;
      this.http = http;
      this.bus = bus;
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
      HttpServerMetrics<?, ?, ?> connections = delegate.createHttpServerMetrics(options, localAddress);
      return connections == null || http == null ? connections : http.new Server(connections);
    }

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      return bus != null ? bus : delegate.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
      return delegate.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return delegate.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
      return delegate.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return delegate.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return delegate.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return delegate.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      delegate.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return delegate.isMetricsEnabled();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
