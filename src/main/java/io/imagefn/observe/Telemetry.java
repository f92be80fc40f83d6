package io.imagefn.observe;

import java.util.OptionalDouble;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.imagefn.config.ImagefnConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * The one place metrics and spans are named, the metrics through {@link Meters}. Metric names follow Micrometer's
 * dotted convention (Prometheus shows {@code imagefn.requests} as {@code imagefn_requests_seconds_*}); tags have
 * bounded values only (a model outside
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

    private final Meters meters;
    private final Tracer tracer;
    private final ImagefnConfig.Log log;

    /** Without a tracing build (-Dtracing) there is no Tracer: the spans are no-ops. */
    public Telemetry(Meters meters, Instance<Tracer> tracer, ImagefnConfig config) {
        this.meters = meters;
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
        meters.gauge(name, description, value);
    }

    /** {@code amount} more of something counted, with bounded tags (a key's name, a refusal's code). */
    public void add(String name, String description, double amount, String... tags) {
        meters.add(name, description, amount, tags);
    }

    /** One more of something counted (bounded: no tags). */
    public void count(String name, String description) {
        meters.count(name, description);
    }

    Span child(String name) {
        return tracer.spanBuilder(name).startSpan();
    }

    void requestFinished(RequestRecord r, String outcome, long nanos) {
        meters.request(r.function(), r.binding().tag(), r.modelTag(), outcome, nanos, r.stored(), r.unstored(),
                r.cost().map(c -> OptionalDouble.of(c.usd().doubleValue())).orElse(OptionalDouble.empty()));
    }

    void upstreamAttemptFinished(String operation, String status, long nanos) {
        meters.upstreamAttempt(operation, status, nanos);
    }

    void storageWriteFinished(boolean ok, long bytes) {
        meters.storageWrite(ok, bytes);
    }

    static void fail(Span span, String description) {
        span.setStatus(StatusCode.ERROR, description);
    }
}
