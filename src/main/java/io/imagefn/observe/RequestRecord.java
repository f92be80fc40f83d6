package io.imagefn.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.imagefn.images.EstimatedCost;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImagesApiException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * What one request did, filled in as it goes and written once when it ends: the {@code imagefn.requests} metric, the
 * request span and one log line on the {@code imagefn.request} category. The line carries function, binding, model,
 * n, outcome, status, latency, images stored and not stored, the upstream request id and the estimated cost; never
 * the API key, a URL, base64 data, or (unless {@code imagefn.log.prompts}) the prompt.
 */
public final class RequestRecord {

    private static final Logger LOG = Logger.getLogger("imagefn.request");
    private static final int MAX_LOGGED_PROMPT = 300;

    private final Telemetry telemetry;
    private final String function;
    private final Binding binding;
    private final Span span;
    private final boolean logPrompt;
    private final long started = System.nanoTime();
    private boolean finished;

    private String model;
    private Integer n;
    private String prompt;
    private boolean upstreamCalled;
    private String upstreamRequestId;
    private EstimatedCost cost;
    private int stored;
    private int unstored;
    private boolean replayed;
    private String key;

    RequestRecord(Telemetry telemetry, String function, Binding binding, Span span, boolean logPrompt) {
        this.telemetry = telemetry;
        this.function = function;
        this.binding = binding;
        this.span = span;
        this.logPrompt = logPrompt;
    }

    /** Makes the request span the parent of what runs on this thread until the scope closes. */
    public Scope activate() {
        return span.makeCurrent();
    }

    /** Runs the request's validation in its own span; {@code requestedModel} tags the request if it fails. */
    public <T> T validate(String requestedModel, Supplier<T> validation) {
        model = requestedModel;
        Span child = telemetry.child("imagefn.validate");
        try (Scope ignored = child.makeCurrent()) {
            return validation.get();
        } catch (RuntimeException e) {
            Telemetry.fail(child, "invalid request");
            throw e;
        } finally {
            child.end();
        }
    }

    /** The request passed validation: what it asks for. */
    public void accepted(ImageModel model, Integer n, String prompt) {
        this.model = model.name();
        this.n = n == null ? 1 : n;
        this.prompt = prompt;
        span.setAttribute(AttributeKey.stringKey("imagefn.model"), modelTag());
    }

    public void callingUpstream() {
        upstreamCalled = true;
    }

    /** The name of the caller's key (never the key), for the log line; set once the request is admitted. */
    public void key(String name) {
        this.key = name;
    }

    public void upstreamRequestId(Optional<String> id) {
        id.ifPresent(value -> upstreamRequestId = clean(value));
        if (upstreamRequestId != null) {
            span.setAttribute(Telemetry.UPSTREAM_REQUEST_ID, upstreamRequestId);
        }
    }

    public void cost(Optional<EstimatedCost> estimate) {
        estimate.ifPresent(c -> cost = cost == null ? c
                : new EstimatedCost(cost.usd().add(c.usd()), c.basis(), c.pricesAsOf()));
    }

    public void image(boolean wasStored) {
        if (wasStored) {
            stored++;
        } else {
            unstored++;
        }
    }

    public void succeeded() {
        finish(replayed ? "replayed" : "success", 200, null);
    }

    /** The response came from an earlier request with the same idempotency key: no upstream call, no new cost. */
    public void replayed() {
        replayed = true;
        cost = null;
    }

    public void failed(ImagesApiException e) {
        finish(outcome(e), e.status(), e.code());
    }

    /**
     * The caller went away before the answer was complete (a stream it stopped reading, or hung up on): its own doing,
     * not an upstream failure, so it does not feed the series operators alert on. Logged with status 499, the
     * status proxies use for it.
     */
    public void clientClosed() {
        finish("client_closed", 499, null);
    }

    public void crashed(RuntimeException e) {
        finish("error", 500, e.getClass().getSimpleName());
    }

    private String outcome(ImagesApiException e) {
        int status = e.status();
        if (status == 429) {
            return "rate_limited";
        }
        if (status >= 400 && status < 500) {
            return upstreamCalled ? "upstream_rejected" : "invalid_request";
        }
        return switch (status) {
            case 502 -> "upstream_error";
            case 503 -> "too_many_concurrent_requests".equals(e.code()) ? "busy" : "upstream_unavailable";
            case 504 -> "upstream_timeout";
            default -> "error";
        };
    }

    private synchronized void finish(String outcome, int status, String errorCode) {
        if (finished) {
            return;
        }
        finished = true;
        long nanos = System.nanoTime() - started;
        span.setAttribute(AttributeKey.stringKey("imagefn.outcome"), outcome);
        if (status >= 500) {
            Telemetry.fail(span, outcome);
        }
        span.end();
        telemetry.requestFinished(this, outcome, nanos);
        writeLine(outcome, status, errorCode, nanos / 1_000_000);
    }

    private void writeLine(String outcome, int status, String errorCode, long millis) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("function", function);
        fields.put("binding", binding.tag());
        fields.put("model", model == null ? "-" : clean(model));
        fields.put("n", n == null ? "-" : n);
        fields.put("outcome", outcome);
        fields.put("status", status);
        fields.put("latency_ms", millis);
        fields.put("images", stored + unstored);
        fields.put("unstored", unstored);
        fields.put("upstream_request", upstreamRequestId == null ? "-" : upstreamRequestId);
        fields.put("cost_usd", cost == null ? "-" : cost.usd().toPlainString());
        if (key != null) {
            fields.put("key", clean(key));
        }
        if (errorCode != null) {
            fields.put("error_code", clean(errorCode));
        }
        if (logPrompt && prompt != null) {
            String shown = prompt.length() > MAX_LOGGED_PROMPT ? prompt.substring(0, MAX_LOGGED_PROMPT) + "…" : prompt;
            // quoted, on one line
            fields.put("prompt", "\"" + shown.replaceAll("\\p{Cntrl}", " ").replace("\"", "'") + "\"");
        }
        StringBuilder line = new StringBuilder();
        fields.forEach((k, v) -> {
            line.append(line.isEmpty() ? "" : " ").append(k).append('=').append(v);
            MDC.put(k, String.valueOf(v));
        });
        try {
            LOG.log(status >= 500 ? Logger.Level.WARN : Logger.Level.INFO, line);
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }

    String function() {
        return function;
    }

    Binding binding() {
        return binding;
    }

    /** A bounded tag value: a model in imagefn's table, {@code other}, or {@code default} when none was named. */
    String modelTag() {
        return model == null ? "default" : ImageModel.known(model).map(ImageModel::name).orElse("other");
    }

    int stored() {
        return stored;
    }

    int unstored() {
        return unstored;
    }

    Optional<EstimatedCost> cost() {
        return Optional.ofNullable(cost);
    }

    /** Text from outside (an upstream header, an error code) made safe for one log line. */
    static String clean(String value) {
        String s = value.length() > 200 ? value.substring(0, 200) : value;
        return s.replaceAll("[\\p{Cntrl}\\s]+", "_");
    }
}
