package io.xredline.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.xredline.config.AppConfig;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One service instance's metrics and tracing: a Prometheus registry handed to Vert.x, where every
 * meter of the instance is registered ({@link #registry(Vertx)}), JVM/process binders, SLO
 * buckets, and, when {@code monitoring.tracing.enabled}, an OpenTelemetry SDK exporting over
 * OTLP/HTTP. Several instances may live in one JVM (tests): each has its own registry, and
 * Micrometer's global registry is never used.
 */
public final class Telemetry implements AutoCloseable {
  /** The Vert.x meters' labels: route, never path, so a label value per route template keeps the series count bounded. */
  static final Set<Label> LABELS = Set.copyOf(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE,
      Label.POOL_TYPE, Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE));
  /** Histogram buckets for every latency the service measures: 5ms … 10s. */
  static final Duration[] SLO = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** Marks a qualified bus address, {@code address@qualifier}: see {@link #qualifiedBusAddresses}. */
  public static final char ADDRESS_QUALIFIER = '@';
  private static final String ADDRESS_TAG = "address";
  private static final String HANDLERS_GAUGE = "vertx.eventbus.handlers";
  private static final Map<Vertx, Telemetry> BY_VERTX = new ConcurrentHashMap<>();
  /** What a Vert.x built without telemetry (the CLI) records into: nothing. */
  private static final MeterRegistry UNEXPORTED = new CompositeMeterRegistry();

  private final PrometheusMeterRegistry registry;
  private final String registryName = "xredline-" + UUID.randomUUID();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final OpenTelemetrySdk openTelemetry;
  private final boolean metricsEnabled;
  private Vertx vertx;

  private Telemetry(AppConfig config, SpanExporter exporter) {
    RequestContext.init();
    metricsEnabled = config.monitoring().metrics().enabled();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(sloBuckets()).meterFilter(qualifiedBusAddresses());
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    AppConfig.Tracing tracing = config.monitoring().tracing();
    openTelemetry = exporter != null || tracing.enabled() ? openTelemetry(tracing, exporter) : null;
  }

  /** From {@code monitoring.*}: OTLP export only when tracing is enabled. */
  public static Telemetry create(AppConfig config) {
    return new Telemetry(config, null);
  }

  /** Tracing on, every span to {@code exporter} as it ends (tests use an in-memory exporter). */
  public static Telemetry withExporter(AppConfig config, SpanExporter exporter) {
    return new Telemetry(config, exporter);
  }

  /** The meters of the service instance this Vert.x belongs to; a registry that exports nothing for any other. */
  public static MeterRegistry registry(Vertx vertx) {
    Telemetry telemetry = vertx == null ? null : BY_VERTX.get(vertx);
    return telemetry == null ? UNEXPORTED : telemetry.registry;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public boolean tracing() {
    return openTelemetry != null;
  }

  /** The Vert.x of this instance, with Micrometer metrics (and the tracer when tracing is on). */
  public Vertx vertx(VertxOptions options) {
    return attach(builder(options).build());
  }

  /**
   * A builder carrying this instance's metrics and tracer; the caller may add a cluster manager,
   * then must {@link #attach} what it builds.
   */
  public VertxBuilder builder(VertxOptions options) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(registryName)
        .setLabels(EnumSet.copyOf(LABELS));
    options.setMetricsOptions(metrics);
    VertxBuilder builder = Vertx.builder().withMetrics(VertxMeters.factory(registry));
    if (openTelemetry != null) {
      options.setTracingOptions(new OpenTelemetryOptions());
      builder.withTracer(new OpenTelemetryTracingFactory(openTelemetry));
    }
    return builder.with(options);
  }

  public Vertx attach(Vertx built) {
    vertx = built;
    BY_VERTX.put(built, this);
    return built;
  }

  public boolean metricsEnabled() {
    return metricsEnabled;
  }

  /** Call after Vert.x has closed. */
  @Override
  public void close() {
    if (vertx != null) {
      BY_VERTX.remove(vertx);
    }
    gc.close();
    registry.close();
    if (openTelemetry != null) {
      openTelemetry.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A bus address {@code A@…} is one instance's own form of {@code A} (bus.LoopAffinity pins each
   * capability instance to its event loop). Its traffic is labelled {@code A}, so the series are
   * those of the plain address, and its handler is not counted a second time
   * ({@code vertx_eventbus_handlers} counts the instances serving {@code A}).
   */
  static MeterFilter qualifiedBusAddresses() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        String plain = unqualified(id.getTag(ADDRESS_TAG));
        return plain == null || HANDLERS_GAUGE.equals(id.getName())
            ? id : id.replaceTags(Tags.of(id.getTags()).and(ADDRESS_TAG, plain));
      }

      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return HANDLERS_GAUGE.equals(id.getName()) && unqualified(id.getTag(ADDRESS_TAG)) != null
            ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }
    };
  }

  /** {@code address} without its qualifier; null when it has none (or there is no address). */
  static String unqualified(String address) {
    int at = address == null ? -1 : address.indexOf(ADDRESS_QUALIFIER);
    return at < 0 ? null : address.substring(0, at);
  }

  private static final AttributeKey<String> BUS_DESTINATION = AttributeKey.stringKey("messaging.destination.name");

  /** Traces name a qualified bus address ({@link #qualifiedBusAddresses}) by its plain one, as metrics do. */
  private static final SpanProcessor QUALIFIED_BUS_SPANS = new SpanProcessor() {
    @Override
    public void onStart(Context parent, ReadWriteSpan span) {
      String plain = unqualified(span.getAttribute(BUS_DESTINATION));
      if (plain != null) {
        span.setAttribute(BUS_DESTINATION, plain);
      }
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
      return false;
    }
  };

  private static MeterFilter sloBuckets() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER
            || !(id.getName().startsWith("vertx.http.server") || id.getName().startsWith("xredline."))) {
          return config;
        }
        double[] slo = new double[SLO.length];
        for (int i = 0; i < SLO.length; i++) {
          slo[i] = SLO[i].toNanos();
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(slo).build().merge(config);
      }
    };
  }

  private static OpenTelemetrySdk openTelemetry(AppConfig.Tracing tracing, SpanExporter exporter) {
    SpanProcessor processor = exporter != null
        ? SimpleSpanProcessor.create(exporter)
        : BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(otlpTracesUrl(tracing.endpoint())).build())
            .build();
    Sampler sampler = exporter != null ? Sampler.alwaysOn()
        : Sampler.parentBased(Sampler.traceIdRatioBased(tracing.sampleRatio()));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), "xredline"))))
        .setSampler(sampler)
        .addSpanProcessor(QUALIFIED_BUS_SPANS)
        .addSpanProcessor(processor)
        .build();
    return OpenTelemetrySdk.builder()
        .setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  /** {@code http://collector:4318} → {@code http://collector:4318/v1/traces}; a full URL is kept. */
  static String otlpTracesUrl(String endpoint) {
    String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return e.endsWith("/v1/traces") ? e : e + "/v1/traces";
  }
}
