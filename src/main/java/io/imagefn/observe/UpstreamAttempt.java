package io.imagefn.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/** The span and timer of one upstream attempt; closing it records them. */
public final class UpstreamAttempt implements AutoCloseable {

    private final Telemetry telemetry;
    private final String operation;
    private final Span span;
    private final Scope scope;
    private final long started;
    // what an attempt that neither answered nor failed visibly was: cut off by the fault-tolerance timeout
    private String status = "timeout";

    UpstreamAttempt(Telemetry telemetry, String operation, Span span, long started) {
        this.telemetry = telemetry;
        this.operation = operation;
        this.span = span;
        this.scope = span.makeCurrent();
        this.started = started;
    }

    /** The upstream answered with this HTTP status. */
    public void answered(int httpStatus, String requestId) {
        status = Integer.toString(httpStatus);
        span.setAttribute(Telemetry.HTTP_STATUS, (long) httpStatus);
        if (requestId != null) {
            span.setAttribute(Telemetry.UPSTREAM_REQUEST_ID, RequestRecord.clean(requestId));
        }
        if (httpStatus >= 400) {
            Telemetry.fail(span, "upstream status " + httpStatus);
        }
    }

    /** No HTTP answer: the connection failed or the body was unusable. */
    public void broken(String why) {
        status = why;
        Telemetry.fail(span, why);
    }

    @Override
    public void close() {
        scope.close();
        span.end();
        telemetry.upstreamAttemptFinished(operation, status, System.nanoTime() - started);
    }
}
