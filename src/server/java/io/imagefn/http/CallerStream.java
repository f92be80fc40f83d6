package io.imagefn.http;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The caller's end of an event stream, with a deadline on every write. A caller that stops reading fills the
 * connection's buffers; the writer must then wait, holding an upstream slot and the upstream's own stream, and
 * Quarkus's response stream waits for a drain that never comes. So every piece handed to it is watched: a piece that
 * is not taken within the deadline drops the caller (its connection closed at once, which ends the wait), and the
 * write fails with an {@link IOException}, which the relay answers by cancelling the upstream stream and freeing its
 * slot. A watchdog rather than a check before writing: the connection's write queue fills on the event loop, so it
 * can be found to have room and then be full by the time the piece is written.
 */
public final class CallerStream extends FilterOutputStream {

    /** Handed on in pieces no larger than the response stream's own buffer: the deadline is per piece of progress. */
    private static final int PIECE = 4096;

    private final HttpConnection connection;
    private final long deadlineNanos;
    private volatile boolean dropped;

    private CallerStream(OutputStream out, HttpConnection connection, Duration deadline) {
        super(out);
        this.connection = connection;
        this.deadlineNanos = deadline.toNanos();
    }

    /** Wraps {@code out}, the response stream written to {@code connection}, with a deadline on every write. */
    public static OutputStream of(OutputStream out, HttpConnection connection, Duration deadline) {
        return new CallerStream(out, connection, deadline);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int at = off, end = off + len; at < end; at += PIECE) {
            writePiece(b, at, Math.min(PIECE, end - at));
        }
    }

    private void writePiece(byte[] b, int off, int len) throws IOException {
        if (dropped) {
            throw notReading();
        }
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
     * Closes the connection now. Vert.x closes a connection only once what is queued has been flushed, which a caller
     * who does not read never lets happen, and its own handler in the channel's pipeline turns every close into that
     * one; the close is therefore sent from that handler onwards, past it, and the waiting response stream sees the
     * connection closed.
     */
    private void drop() {
        dropped = true;
        if (connection instanceof ConnectionBase base) {
            base.channelHandlerContext().close();
        } else {
            connection.close();
        }
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
