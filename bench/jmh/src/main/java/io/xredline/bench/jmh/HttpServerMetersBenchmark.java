package io.xredline.bench.jmh;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.xredline.observability.VertxMeters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.EnumSet;

/**
 * What the HTTP server's metrics cost one request (begin, end, routed, response end, the calls
 * Vert.x makes), on a registry with the service's labels: vertx-micrometer's own
 * ({@code micrometer}) against the service's ({@code service}, VertxMeters: meters resolved once
 * per series).
 */
@State(Scope.Benchmark)
public class HttpServerMetersBenchmark extends HotPathRun {
  private static final HttpRequest REQUEST = new HttpRequest() {
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

    @Override
    public int id() {
      return 1;
    }

    @Override
    public String uri() {
      return "/healthz/live";
    }

    @Override
    public String absoluteURI() {
      return "http://127.0.0.1:8000/healthz/live";
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public MultiMap headers() {
      return headers;
    }

    @Override
    public SocketAddress remoteAddress() {
      return SocketAddress.inetSocketAddress(50000, "127.0.0.1");
    }
  };
  private static final HttpResponse RESPONSE = new HttpResponse() {
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

    @Override
    public int statusCode() {
      return 200;
    }

    @Override
    public MultiMap headers() {
      return headers;
    }
  };

  @Param({"micrometer", "service"})
  public String meters;

  private PrometheusMeterRegistry registry;
  private VertxMetrics vertxMetrics;
  @SuppressWarnings("rawtypes")
  private HttpServerMetrics server;
  private Object socket;

  @Setup(Level.Trial)
  public void setUp() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxMetricsFactory factory = "service".equals(meters) ? VertxMeters.factory(registry)
        : new MicrometerMetricsFactory(registry);
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE));
    vertxMetrics = factory.metrics(new VertxOptions().setMetricsOptions(options));
    server = vertxMetrics.createHttpServerMetrics(new HttpServerOptions(), SocketAddress.inetSocketAddress(8000, "0.0.0.0"));
    socket = server.connected(REQUEST.remoteAddress(), "127.0.0.1");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertxMetrics.close();
    registry.close();
  }

  @Benchmark
  @SuppressWarnings("unchecked")
  public Object request() {
    Object request = server.requestBegin(socket, REQUEST);
    server.requestEnd(request, REQUEST, 0);
    server.requestRouted(request, "/healthz/live");
    server.responseEnd(request, RESPONSE, 152);
    return request;
  }
}
