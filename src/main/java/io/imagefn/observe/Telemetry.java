package io.imagefn.observe;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.imagefn.config.ImagefnConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * The one place metrics and spans are named. Metric names follow Micrometer's dotted convention (Prometheus shows
 * {@code imagefn.requests} as {@code imagefn_requests_seconds_*}); tags have bounded values only (a model outside
 * imagefn's table is tagged {@code other}). The fault-tolerance metrics (retries, breaker state, timeouts) come from
 * SmallRye Fault Tolerance itself as {@code ft.*}; the upstream bulkhead is imagefn's own
 * ({@code imagefn.upstream.in_flight}, {@code imagefn.upstream.refused}).
 */
@ApplicationScoped
public class Telemetry {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("imagefn.operation");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> UPSTREAM_REQUEST_ID = AttributeKey.stringKey("imagefn.upstream.request_id");
    static final AttributeKey<Long> BYTES = AttributeKey.longKey("imagefn.storage.bytes");

    private final MeterRegistry registry;
    private final Tracer tracer;
    private final ImagefnConfig.Log log;

    /** The Lambda invoke build has neither a metrics registry nor tracing: there the meters and spans are no-ops. */
    public Telemetry(Instance<MeterRegistry> registry, Instance<Tracer> tracer, ImagefnConfig config) {
        this.registry = registry.isResolvable() ? registry.get() : Metrics.globalRegistry;
        this.tracer = tracer.isResolvable() ? tracer.get() : OpenTelemetry.noop().getTracer("imagefn");
        this.log = config.log();
    }

    /** Starts the record of one request: its span begins now, its metric and log line when it finishes. */
    public RequestRecord start(String function, Binding binding) {
        Span span = tracer.spanBuilder("imagefn." + function).startSpan();
        return new RequestRecord(this, function, binding, span, log.prompts());
    }

    /** One attempt at the upstream (the fault tolerance may make several per request). */
    public UpstreamAttempt upstreamAttempt(String operation) {
        Span span = tracer.spanBuilder("imagefn.upstream " + operation).setAttribute(OPERATION, operation).startSpan();
        return new UpstreamAttempt(this, operation, span, System.nanoTime());
    }

    /** One object written to the store. */
    public StorageWrite storageWrite(long bytes) {
        Span span = tracer.spanBuilder("imagefn.storage.put").setAttribute(BYTES, bytes).startSpan();
        return new StorageWrite(this, span, bytes);
    }

    /** A value read whenever the metrics are scraped (bounded: no tags). */
    public void gauge(String name, String description, java.util.function.Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value).description(description).register(registry);
    }

    /** One more of something counted (bounded: no tags). */
    public void count(String name, String description) {
        Counter.builder(name).description(description).register(registry).increment();
    }

    Span child(String name) {
        return tracer.spanBuilder(name).startSpan();
    }

    void requestFinished(RequestRecord r, String outcome, long nanos) {
        Timer.builder("imagefn.requests").description("Image requests by function, binding, model and outcome")
                .tags("function", r.function(), "binding", r.binding().tag(), "model", r.modelTag(), "outcome", outcome)
                .register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (r.stored() > 0) {
            images(r, true).increment(r.stored());
        }
        if (r.unstored() > 0) {
            images(r, false).increment(r.unstored());
        }
        r.cost().ifPresent(cost -> Counter.builder("imagefn.cost").baseUnit("usd")
                .description("Estimated cost at list prices (see estimated_cost)")
                .tags("function", r.function(), "model", r.modelTag()).register(registry)
                .increment(cost.usd().doubleValue()));
    }

    private Counter images(RequestRecord r, boolean stored) {
        return Counter.builder("imagefn.images").description("Images produced by the upstream, stored or handed over inline")
                .tags("function", r.function(), "model", r.modelTag(), "stored", Boolean.toString(stored))
                .register(registry);
    }

    void upstreamAttemptFinished(String operation, String status, long nanos) {
        Timer.builder("imagefn.upstream.attempts").description("Calls to the upstream images API, one per attempt")
                .tags("operation", operation, "status", status).publishPercentileHistogram()
                .register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void storageWriteFinished(boolean ok, long bytes) {
        Counter.builder("imagefn.storage.writes").description("Objects written to the store")
                .tag("result", ok ? "ok" : "failed").register(registry).increment();
        if (ok) {
            Counter.builder("imagefn.storage.written").baseUnit("bytes").description("Image bytes written to the store")
                    .register(registry).increment(bytes);
        }
    }

    static void fail(Span span, String description) {
        span.setStatus(StatusCode.ERROR, description);
    }
}
