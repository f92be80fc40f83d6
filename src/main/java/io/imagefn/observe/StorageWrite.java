package io.imagefn.observe;

import io.opentelemetry.api.trace.Span;

/** The span and counters of one object write; closing it records them. */
public final class StorageWrite implements AutoCloseable {

    private final Telemetry telemetry;
    private final Span span;
    private final long bytes;
    private boolean ok;

    StorageWrite(Telemetry telemetry, Span span, long bytes) {
        this.telemetry = telemetry;
        this.span = span;
        this.bytes = bytes;
    }

    public void ok() {
        ok = true;
    }

    @Override
    public void close() {
        if (!ok) {
            Telemetry.fail(span, "object store write failed");
        }
        span.end();
        telemetry.storageWriteFinished(ok, bytes);
    }
}
