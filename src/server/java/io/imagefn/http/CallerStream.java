package io.imagefn.http;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The caller's end of an event stream, with a deadline on every write. A caller that stops reading fills the
 * connection's buffers; the writer must then wait, holding an upstream slot and the upstream's own stream. Quarkus's
 * response stream waits inside Vert.x for a drain that never comes, and closing the connection does not wake it. So
 * the wait happens here instead: bytes are handed to the response stream only while the connection's write queue has
 * room (each piece flushed at once, so nothing is left buffered there), and a caller that makes no room within the
 * deadline is dropped: its connection closed at once, the write failed with an {@link IOException}, which the relay
 * answers by cancelling the upstream stream and freeing its slot.
 */
public final class CallerStream extends FilterOutputStream {

    /** Handed on in pieces no larger than the response stream's own buffer, which then never waits by itself. */
    private static final int PIECE = 4096;
    private static final long POLL_NANOS = 5_000_000;

    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final long deadlineNanos;
    private boolean dropped;

    private CallerStream(OutputStream out, HttpServerResponse response, HttpConnection connection,
            Duration deadline) {
        super(out);
        this.response = response;
        this.connection = connection;
        this.deadlineNanos = deadline.toNanos();
    }

    /** Wraps {@code out}, the response stream of {@code response}, with a deadline on every write. */
    public static OutputStream of(OutputStream out, HttpServerResponse response, HttpConnection connection,
            Duration deadline) {
        return new CallerStream(out, response, connection, deadline);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int at = off, end = off + len; at < end; at += PIECE) {
            int piece = Math.min(PIECE, end - at);
            awaitRoom();
            out.write(b, at, piece);
            out.flush();
        }
    }

    @Override
    public void flush() {
        // every write is flushed as it is handed on
    }

    @Override
    public void close() {
        // the response stream is closed by the server, not by the writer
    }

    /** Waits until the connection can take more, or drops the caller once the deadline has passed. */
    private void awaitRoom() throws IOException {
        if (dropped) {
            throw new IOException("the caller was dropped: it did not read the stream");
        }
        long since = System.nanoTime();
        while (response.writeQueueFull()) {
            if (response.closed()) {
                throw new IOException("the caller closed the connection");
            }
            if (System.nanoTime() - since > deadlineNanos) {
                dropped = true;
                drop(connection);
                throw new IOException("the caller did not read the stream within "
                        + Duration.ofNanos(deadlineNanos).toMillis() + " ms");
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedIOException();
            }
        }
    }

    /**
     * Closes the connection now. Vert.x's {@link HttpConnection#close()} closes only once what is queued has been
     * flushed, which a caller who does not read never lets happen; the channel itself closes at once.
     */
    private static void drop(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            base.channel().close();
        } else {
            connection.close();
        }
    }
}
