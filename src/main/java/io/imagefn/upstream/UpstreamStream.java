package io.imagefn.upstream;

import java.util.Iterator;
import java.util.NoSuchElementException;

import org.jboss.resteasy.reactive.client.SseEvent;

/**
 * An open event stream from the upstream, its first event already received. Read it with {@link #next()} until it
 * returns null; {@link #close()} cancels the upstream request (call it when the caller goes away).
 */
public final class UpstreamStream implements AutoCloseable {

    /** One server-sent event: its {@code event:} name (may be null) and its {@code data:}. */
    public record Event(String name, String data) {
    }

    private final Iterator<SseEvent<String>> events;
    private final Runnable cancel;

    UpstreamStream(Iterator<SseEvent<String>> events, Runnable cancel) {
        this.events = events;
        this.cancel = cancel;
    }

    /**
     * The next event, or null at the end of the stream.
     *
     * @throws UpstreamException when the upstream fails or the connection breaks mid-stream
     */
    public Event next() {
        try {
            if (!events.hasNext()) {
                return null;
            }
            SseEvent<String> e = events.next();
            return new Event(e.name(), e.data());
        } catch (NoSuchElementException end) {
            return null;
        } catch (RuntimeException e) {
            throw UpstreamClient.classify(e);
        }
    }

    @Override
    public void close() {
        cancel.run();
    }
}
