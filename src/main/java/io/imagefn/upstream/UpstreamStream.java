package io.imagefn.upstream;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Multi;

/**
 * An open event stream from the upstream. Read it with {@link #next()} until it returns null; {@link #close()} cancels
 * the upstream request (call it when the caller goes away) and gives back the stream's upstream slot.
 *
 * <p>The stream's bytes are decoded into events as they arrive ({@link EventStreamDecoder}, one pass however large an
 * event is) into a queue this class reads with a deadline: the stream as a whole must end within the upstream
 * timeout, as a call's answer must, and a reader is never left waiting on a stream that was cancelled (Mutiny's
 * blocking iterator can wait forever once its subscription is cancelled from another thread).
 */
public final class UpstreamStream implements AutoCloseable {

    /** One server-sent event: its {@code event:} name (may be null) and its {@code data:}. */
    public record Event(String name, String data) {
    }

    private static final Object END = new Object();

    private final BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private final long deadline;
    private final UpstreamSlots.Slot slot;
    private final long timeoutSeconds;
    /** Closes the stream at its deadline even if nobody reads it: the slot never outlives the timeout. */
    private final CompletableFuture<Void> expiry;
    private volatile boolean closed;
    private volatile boolean timedOut;
    private Object first;

    private UpstreamStream(long deadline, long timeoutSeconds, UpstreamSlots.Slot slot) {
        this.deadline = deadline;
        this.timeoutSeconds = timeoutSeconds;
        this.slot = slot;
        this.expiry = CompletableFuture.runAsync(this::expire, CompletableFuture.delayedExecutor(
                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
    }

    private void expire() {
        if (!closed) {
            timedOut = true;
            close();
        }
    }

    /**
     * Subscribes to the stream's {@code bytes} and waits for the first event, or the failure that came instead.
     *
     * @param deadline when the whole stream must have ended ({@link System#nanoTime()})
     * @throws UpstreamException the upstream refused or failed before its first event
     */
    static UpstreamStream open(Multi<byte[]> bytes, long deadline, long timeoutSeconds, UpstreamSlots.Slot slot) {
        UpstreamStream stream = new UpstreamStream(deadline, timeoutSeconds, slot);
        try {
            bytes.subscribe().withSubscriber(stream.new Receiver());
            stream.first = stream.take();
            if (stream.first == END) {
                throw UpstreamException.badResponse("the event stream ended without an event", null, null);
            }
            if (stream.first instanceof RuntimeException e) {
                throw e;
            }
            return stream;
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * The next event, or null at the end of the stream (or once it was closed).
     *
     * @throws UpstreamException when the upstream fails, the connection breaks mid-stream, or the stream runs past
     *         the upstream timeout (then it is cancelled)
     */
    public Event next() {
        Object signal = first != null ? first : take();
        first = null;
        if (signal == END) {
            return null;
        }
        if (signal instanceof RuntimeException e) {
            throw e;
        }
        return (Event) signal;
    }

    /** The next signal: an event, {@link #END}, or the failure (already as the caller should see it). */
    private Object take() {
        try {
            Object signal = closed ? END : signals.poll(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            if (signal == null) {
                expire();
            }
            if ((signal == null || signal == END) && timedOut) {
                return UpstreamException.timedOut("the event stream did not end within the upstream timeout ("
                        + timeoutSeconds + " s)");
            }
            if (signal instanceof Throwable t) {
                return t instanceof RuntimeException r ? UpstreamClient.classify(r)
                        : UpstreamClient.classify(new RuntimeException(t));
            }
            return signal;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return UpstreamException.connectionFailed(e);
        }
    }

    /** Cancels the upstream request, wakes any reader, and gives the slot back; idempotent. */
    @Override
    public void close() {
        closed = true;
        expiry.cancel(false);
        Flow.Subscription s = subscription.getAndSet(CANCELLED);
        if (s != null && s != CANCELLED) {
            s.cancel();
        }
        signals.offer(END);
        slot.release();
    }

    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        public void request(long n) {
        }

        public void cancel() {
        }
    };

    /**
     * Decodes the upstream's bytes into events on the queue. Everything is asked for at once: the client hands chunks
     * over as they arrive whatever is asked, so the queue is the buffer either way, and a reader that stops (its caller
     * not reading) is dropped within the caller's write timeout, which closes this stream.
     */
    private final class Receiver implements Flow.Subscriber<byte[]> {
        private final EventStreamDecoder decoder = new EventStreamDecoder();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (!subscription.compareAndSet(null, s)) {
                s.cancel(); // closed before the subscription arrived
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(byte[] bytes) {
            try {
                decoder.feed(bytes, signals::offer);
            } catch (EventStreamDecoder.TooLarge e) {
                signals.offer(UpstreamException.badResponse(e.getMessage(), null, null));
                close();
            }
        }

        @Override
        public void onError(Throwable failure) {
            signals.offer(failure);
        }

        @Override
        public void onComplete() {
            decoder.end(signals::offer);
            signals.offer(END);
        }
    }
}
