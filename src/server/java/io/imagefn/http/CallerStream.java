package io.imagefn.http;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The caller's end of an event stream, with a deadline on the caller's progress. A caller that stops reading fills
 * the connection's buffers; imagefn then holds an upstream slot and the upstream's own stream for nothing. Once the
 * caller has taken nothing for the deadline it is dropped: its connection is closed at once, the writer's next or
 * current write fails with an {@link IOException}, and {@code onDrop} runs, which cancels the upstream stream and frees
 * its slot even while the relay is waiting for the upstream's next event.
 *
 * <p>Three watches, one deadline:
 * <ul>
 * <li>Before each piece the writer waits for room in the connection's write queue. Quarkus's response stream does not
 * wait for the connection to drain when it is written from a worker thread that carries the request's own Vert.x
 * context (as a resource method's does): without this every byte would be queued in memory at the upstream's pace and
 * no write would ever take long enough for a deadline to see it. The response's drain handler belongs to that stream
 * (one per response), so the room is looked at rather than waited for.</li>
 * <li>A watchdog covers the write itself.</li>
 * <li>Between writes, a periodic look: a queue that stays full for the deadline is a caller that stopped reading.</li>
 * </ul>
 */
public final class CallerStream extends FilterOutputStream {

    /** Handed on in pieces no larger than the response stream's own buffer: the deadline is per piece of progress. */
    private static final int PIECE = 4096;

    /** How often a writer waiting for room looks again: small beside any deadline, large beside a context switch. */
    private static final long LOOK_AGAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final long deadlineNanos;
    private final Runnable onDrop;
    private final ScheduledFuture<?> between;
    private volatile boolean dropped;
    private volatile boolean writing;
    /** When the queue was first seen full between writes (0: not full); read and written by the periodic look only. */
    private long fullSince;

    private CallerStream(OutputStream out, HttpServerResponse response, HttpConnection connection, Duration deadline,
            Runnable onDrop) {
        super(out);
        this.response = response;
        this.connection = connection;
        this.deadlineNanos = deadline.toNanos();
        this.onDrop = onDrop;
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(50), deadlineNanos / 8);
        this.between = Watchdog.TIMER.scheduleWithFixedDelay(this::lookBetweenWrites, every, every,
                TimeUnit.NANOSECONDS);
    }

    /**
     * Wraps {@code out}, the stream of {@code response} on {@code connection}, with a deadline on the caller taking
     * what is written; {@code onDrop} runs once if the caller is dropped.
     */
    public static OutputStream of(OutputStream out, HttpServerResponse response, HttpConnection connection,
            Duration deadline, Runnable onDrop) {
        return new CallerStream(out, response, connection, deadline, onDrop);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        writing = true;
        try {
            for (int at = off, end = off + len; at < end; at += PIECE) {
                writePiece(b, at, Math.min(PIECE, end - at));
            }
        } finally {
            writing = false;
        }
    }

    private void writePiece(byte[] b, int off, int len) throws IOException {
        awaitRoom();
        ScheduledFuture<?> watchdog = Watchdog.TIMER.schedule(this::drop, deadlineNanos, TimeUnit.NANOSECONDS);
        try {
            out.write(b, off, len);
            // flushed at once, so the deadline covers the caller taking these bytes, not a later write
            out.flush();
        } catch (IOException e) {
            throw dropped ? notReading() : e;
        } finally {
            watchdog.cancel(false);
        }
        if (dropped) {
            throw notReading();
        }
    }

    /**
     * Returns once the connection's write queue has room; drops the caller when it has had none for the deadline. The
     * queue is full once the socket's buffers and the connection's own (64 KB) hold what the caller has not read.
     */
    private void awaitRoom() throws IOException {
        long until = System.nanoTime() + deadlineNanos;
        while (true) {
            if (dropped) {
                throw notReading();
            }
            if (!queueFull()) {
                return;
            }
            if (System.nanoTime() - until >= 0) {
                drop();
                throw notReading();
            }
            LockSupport.parkNanos(LOOK_AGAIN_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the caller to read");
            }
        }
    }

    private boolean queueFull() throws IOException {
        try {
            return response.writeQueueFull();
        } catch (IllegalStateException closed) {
            throw new IOException("the caller's connection is closed", closed);
        }
    }

    /** The periodic look between writes (a write watches the caller itself); stops once the response is over. */
    private void lookBetweenWrites() {
        try {
            if (dropped || response.ended() || response.closed()) {
                stopLooking();
                return;
            }
            if (writing || !response.writeQueueFull()) {
                fullSince = 0;
                return;
            }
        } catch (IllegalStateException closed) {
            stopLooking();
            return;
        }
        long now = System.nanoTime();
        if (fullSince == 0) {
            fullSince = now;
        } else if (now - fullSince >= deadlineNanos) {
            drop();
        }
    }

    private void stopLooking() {
        ScheduledFuture<?> b = between;
        if (b != null) { // null only if the first look came before the constructor ended
            b.cancel(false);
        }
    }

    private IOException notReading() {
        return new IOException("the caller did not read the stream within "
                + TimeUnit.NANOSECONDS.toMillis(deadlineNanos) + " ms");
    }

    @Override
    public void flush() {
        // every write is flushed as it is handed on
    }

    @Override
    public void close() {
        // the response stream is closed by the server, not by the writer
    }

    /**
     * Closes the connection now and tells the writer's owner. Vert.x closes a connection only once what is queued has
     * been flushed, which a caller who does not read never lets happen, and its own handler in the channel's pipeline
     * turns every close into that one; the close is therefore sent from that handler onwards, past it, and the waiting
     * response stream sees the connection closed.
     */
    private void drop() {
        synchronized (this) {
            if (dropped) {
                return;
            }
            dropped = true;
        }
        stopLooking();
        if (connection instanceof ConnectionBase base) {
            base.channelHandlerContext().close();
        } else {
            connection.close();
        }
        onDrop.run();
    }

    /** One daemon thread for every stream's deadlines, started on first use (not in a native image's heap). */
    private static final class Watchdog {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "imagefn-caller-deadlines");
                t.setDaemon(true);
                return t;
            });
            // cancelled deadlines (nearly all of them) leave the queue at once
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }
}
