package io.imagefn.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;

/**
 * An upstream stream keeps its slot while it runs and gives it back however it ends: at its last event, when the
 * reader closes it, and at the upstream timeout when the upstream goes quiet (then the reader learns why).
 */
class UpstreamStreamTest {

    /** One event's bytes on the wire. */
    private static byte[] event(String data) {
        return ("event: image_generation.partial_image\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** One event, then nothing: neither more events nor an end. */
    private static Multi<byte[]> oneEventThenSilence() {
        return Multi.createFrom().emitter(e -> e.emit(event("{\"n\":1}")));
    }

    private static long inMillis(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aStreamThatGoesQuietEndsAtTheUpstreamTimeoutAndGivesItsSlotBack() {
        UpstreamSlots slots = new UpstreamSlots(1);
        UpstreamStream stream = UpstreamStream.open(oneEventThenSilence(), inMillis(300), 7, slots.acquire());

        assertEquals("{\"n\":1}", stream.next().data());
        UpstreamException e = assertThrows(UpstreamException.class, stream::next);

        assertEquals("upstream_timeout", e.error().code());
        assertEquals(504, e.status());
        assertEquals(0, slots.inUse());
    }

    @Test
    void aStreamNobodyReadsGivesItsSlotBackAtTheTimeout() throws Exception {
        UpstreamSlots slots = new UpstreamSlots(1);
        UpstreamStream.open(oneEventThenSilence(), inMillis(200), 7, slots.acquire());

        for (int i = 0; i < 500 && slots.inUse() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, slots.inUse());
    }

    @Test
    void closingWakesAWaitingReaderAndGivesTheSlotBack() {
        UpstreamSlots slots = new UpstreamSlots(1);
        UpstreamStream stream = UpstreamStream.open(oneEventThenSilence(), inMillis(60_000), 60, slots.acquire());
        stream.next();
        CompletableFuture<UpstreamStream.Event> reader = CompletableFuture.supplyAsync(stream::next);

        stream.close();

        assertNull(reader.orTimeout(30, TimeUnit.SECONDS).join(), "the reader sees the end");
        assertEquals(0, slots.inUse());
        assertThrows(UpstreamSlots.Busy.class, () -> {
            UpstreamSlots.Slot first = slots.acquire();
            slots.acquire();
            first.release();
        }, "one slot in all: a second is refused");
    }

    @Test
    void aStreamThatEndsGivesItsSlotBackWhenClosed() {
        UpstreamSlots slots = new UpstreamSlots(2);
        UpstreamStream stream = UpstreamStream.open(Multi.createFrom().items(event("a"), event("b")),
                inMillis(60_000), 60, slots.acquire());
        assertEquals(1, slots.inUse());

        assertEquals("a", stream.next().data());
        assertEquals("b", stream.next().data());
        assertNull(stream.next());
        stream.close();

        assertEquals(0, slots.inUse());
    }
}
