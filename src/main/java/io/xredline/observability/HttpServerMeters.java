package io.xredline.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP server's per-request meters, resolved once per series instead of on every request
 * ({@link VertxMeters} installs them). vertx-micrometer builds tags and looks each meter up in the
 * registry five times per request (active requests, request bytes, requests, response time,
 * response bytes); here a request costs two map lookups. The series are the same: names, tags
 * ({@code method}, {@code route}, {@code code}), descriptions, meter types and the registry's
 * filters (SLO buckets) are vertx-micrometer's. Connections, bytes, errors and websockets stay
 * vertx-micrometer's own (they resolve their meters once per connection already).
 *
 * <p>One difference, on purpose: a request method outside the standard ones ({@link HttpMethod#values()})
 * is labelled {@code OTHER}. HTTP/1.1 accepts any token as a method, and a label value per token
 * would let a client create series without bound.
 */
final class HttpServerMeters {
  static final String OTHER_METHOD = "OTHER";
  /** The HTTP server labels this class does not apply; with one of them enabled vertx-micrometer's are used. */
  static final Set<Label> UNSUPPORTED = Set.of(Label.LOCAL, Label.REMOTE, Label.HTTP_PATH);
  private static final Set<HttpMethod> STANDARD = Set.copyOf(HttpMethod.values());
  /** Never changed after class initialisation, so safely read from any thread. */
  private static final Map<HttpMethod, String> STANDARD_BY_IDENTITY = byIdentity();

  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final boolean methodLabel;
  private final boolean routeLabel;
  private final boolean codeLabel;
  private final Map<String, PerMethod> methods = new ConcurrentHashMap<>();

  HttpServerMeters(MeterRegistry registry, MicrometerMetricsOptions options) {
    this.registry = registry;
    this.names = options.getMetricsNaming().withBaseName("vertx." + MetricsDomain.HTTP_SERVER.toCategory() + ".");
    this.methodLabel = options.getLabels().contains(Label.HTTP_METHOD);
    this.routeLabel = options.getLabels().contains(Label.HTTP_ROUTE);
    this.codeLabel = options.getLabels().contains(Label.HTTP_CODE);
  }

  /** The method's label value: its name when it is a standard method, else {@link #OTHER_METHOD}. */
  static String methodLabel(HttpMethod method) {
    // the parsed request's method is one of the constants for every standard method: found by
    // identity, without hashing its name (a set lookup was ~3 % of a probe's samples)
    String label = STANDARD_BY_IDENTITY.get(method);
    if (label != null) {
      return label;
    }
    return STANDARD.contains(method) ? method.name() : OTHER_METHOD;
  }

  private static Map<HttpMethod, String> byIdentity() {
    Map<HttpMethod, String> labels = new IdentityHashMap<>();
    for (HttpMethod method : HttpMethod.values()) {
      labels.put(method, method.name());
    }
    return labels;
  }

  private PerMethod method(HttpMethod method) {
    String label = methodLabel ? methodLabel(method) : "";
    PerMethod known = methods.get(label);
    return known != null ? known : methods.computeIfAbsent(label, PerMethod::new);
  }

  /** The meters of one method label: those with request tags, and the response series by route and code. */
  private final class PerMethod {
    final Tags tags;
    final LongAdder active = new LongAdder();
    final DistributionSummary requestBytes;
    final Map<SeriesKey, Series> series = new ConcurrentHashMap<>();

    PerMethod(String label) {
      tags = methodLabel ? Tags.of(Label.HTTP_METHOD.toString(), label) : Tags.empty();
      Gauge.builder(names.getHttpActiveRequests(), active, LongAdder::doubleValue)
          .description("Number of requests being processed")
          .tags(tags)
          .strongReference(true)
          .register(registry);
      requestBytes = DistributionSummary.builder(names.getHttpRequestBytes())
          .description("Size of requests in bytes")
          .tags(tags)
          .register(registry);
    }

    /** Looked up when it happens, as vertx-micrometer does: no series before the first reset. */
    void reset() {
      Counter.builder(names.getHttpRequestResetsCount())
          .description("Number of request resets")
          .tags(tags)
          .register(registry)
          .increment();
    }

    Series series(String route, int status) {
      SeriesKey key = new SeriesKey(routeLabel ? route : "", codeLabel ? status : 0);
      Series known = series.get(key);
      return known != null ? known : series.computeIfAbsent(key, k -> new Series(this, k));
    }
  }

  private record SeriesKey(String route, int code) {
  }

  /** The three meters every response records into. */
  private final class Series {
    final Counter requests;
    final Timer time;
    final DistributionSummary responseBytes;

    Series(PerMethod method, SeriesKey key) {
      Tags tags = method.tags;
      if (routeLabel) {
        tags = tags.and(Label.HTTP_ROUTE.toString(), key.route());
      }
      if (codeLabel) {
        tags = tags.and(Label.HTTP_CODE.toString(), String.valueOf(key.code()));
      }
      requests = Counter.builder(names.getHttpRequestsCount())
          .description("Number of processed requests")
          .tags(tags)
          .register(registry);
      time = Timer.builder(names.getHttpResponseTime())
          .description("Request processing time")
          .tags(tags)
          .register(registry);
      responseBytes = DistributionSummary.builder(names.getHttpResponseBytes())
          .description("Size of responses in bytes")
          .tags(tags)
          .register(registry);
    }
  }

  /** One request in flight; its routes joined by '>' as vertx-micrometer joins them. */
  static final class Request {
    private final PerMethod method;
    private final long began = System.nanoTime();
    private Object routes;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    private Request(PerMethod method) {
      this.method = method;
    }

    private void addRoute(String route) {
      if (route == null) {
        return;
      }
      if (routes == null) {
        routes = route;
      } else if (routes instanceof List<?> list) {
        @SuppressWarnings("unchecked") List<String> names = (List<String>) list;
        names.add(route);
      } else {
        List<String> names = new ArrayList<>(4);
        names.add((String) routes);
        names.add(route);
        routes = names;
      }
    }

    private String route() {
      if (routes == null) {
        return "";
      }
      if (routes instanceof String single) {
        return single;
      }
      @SuppressWarnings("unchecked") List<String> names = (List<String>) routes;
      String joined = String.join(">", names);
      routes = joined;
      return joined;
    }
  }

  /** The HTTP server's metrics: request meters here, the connection-level ones vertx-micrometer's. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  final class Server implements HttpServerMetrics<Request, Object, Object> {
    private final HttpServerMetrics connections;

    Server(HttpServerMetrics<?, ?, ?> connections) {
      this.connections = connections;
    }

    @Override
    public Request requestBegin(Object socket, HttpRequest request) {
      PerMethod perMethod = method(request.method());
      perMethod.active.increment();
      return new Request(perMethod);
    }

    @Override
    public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
      request.method.requestBytes.record(bytesRead);
      request.requestEnded = true;
      if (!request.reset && request.responseEnded) {
        request.method.active.decrement();
      }
    }

    @Override
    public void requestReset(Request request) {
      request.method.reset();
      request.method.active.decrement();
      request.reset = true;
    }

    @Override
    public Request responsePushed(Object socket, HttpMethod method, String uri, HttpResponse response) {
      PerMethod perMethod = method(method);
      perMethod.active.increment();
      return new Request(perMethod);
    }

    @Override
    public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
      Series series = request.method.series(request.route(), response.statusCode());
      series.requests.increment();
      series.time.record(System.nanoTime() - request.began, TimeUnit.NANOSECONDS);
      series.responseBytes.record(bytesWritten);
      request.responseEnded = true;
      if (!request.reset && request.requestEnded) {
        request.method.active.decrement();
      }
    }

    @Override
    public void requestRouted(Request request, String route) {
      request.addRoute(route);
    }

    @Override
    public Object connected(Object socket, Request request, ServerWebSocket webSocket) {
      // vertx-micrometer's websocket gauge reads only the connection's tags, never the request
      return connections.connected(socket, null, webSocket);
    }

    @Override
    public void disconnected(Object webSocket) {
      connections.disconnected(webSocket);
    }

    @Override
    public Object connected(SocketAddress remoteAddress, String remoteName) {
      return connections.connected(remoteAddress, remoteName);
    }

    @Override
    public void disconnected(Object socket, SocketAddress remoteAddress) {
      connections.disconnected(socket, remoteAddress);
    }

    @Override
    public void bytesRead(Object socket, SocketAddress remoteAddress, long numberOfBytes) {
      connections.bytesRead(socket, remoteAddress, numberOfBytes);
    }

    @Override
    public void bytesWritten(Object socket, SocketAddress remoteAddress, long numberOfBytes) {
      connections.bytesWritten(socket, remoteAddress, numberOfBytes);
    }

    @Override
    public void exceptionOccurred(Object socket, SocketAddress remoteAddress, Throwable t) {
      connections.exceptionOccurred(socket, remoteAddress, t);
    }

    @Override
    public void close() {
      connections.close();
    }
  }
}
