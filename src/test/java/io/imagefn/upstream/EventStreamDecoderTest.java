package io.imagefn.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The event stream format as the WHATWG HTML standard defines it ("9.2.6 Interpreting an event stream"): lines end in
 * CRLF, LF or CR; a blank line dispatches the event; {@code data} lines are joined with LF; a single space after the
 * colon is dropped; lines starting with a colon are comments; a leading BOM is skipped. Each case is fed whole, one
 * byte at a time, and cut at every position, since the network cuts a stream anywhere.
 */
class EventStreamDecoderTest {

    private static List<UpstreamStream.Event> decode(byte[]... chunks) {
        List<UpstreamStream.Event> events = new ArrayList<>();
        EventStreamDecoder decoder = new EventStreamDecoder();
        for (byte[] chunk : chunks) {
            decoder.feed(chunk, events::add);
        }
        decoder.end(events::add);
        return events;
    }

    /** The same events whether the stream arrives whole, byte by byte, or cut in two anywhere. */
    private static List<UpstreamStream.Event> decodeEveryWay(String stream) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        List<UpstreamStream.Event> whole = decode(bytes);
        byte[][] single = new byte[bytes.length][];
        for (int i = 0; i < bytes.length; i++) {
            single[i] = new byte[] { bytes[i] };
        }
        assertEquals(whole, decode(single), "byte by byte");
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(whole, decode(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut,
                    bytes.length)), "cut at " + cut);
        }
        return whole;
    }

    private static UpstreamStream.Event event(String name, String data) {
        return new UpstreamStream.Event(name, data);
    }

    @Test
    void eachLineEndingEndsALineAndABlankLineDispatches() {
        assertEquals(List.of(event("a", "1"), event("b", "2"), event("c", "3")),
                decodeEveryWay("event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\nevent: c\rdata: 3\r\r"));
    }

    @Test
    void dataLinesAreJoinedWithLineFeeds() {
        assertEquals(List.of(event(null, "first\nsecond\n")), decodeEveryWay("data: first\ndata:second\ndata\n\n"));
    }

    @Test
    void onlyOneSpaceAfterTheColonIsDropped() {
        assertEquals(List.of(event(null, "  two")), decodeEveryWay("data:   two\n\n"));
    }

    @Test
    void commentsIdsAndRetriesAreSkippedAndAnEventWithoutDataIsNotDispatched() {
        assertEquals(List.of(event("x", "d")), decodeEveryWay(": keep-alive\n\nevent: lone\n\nid: 7\nretry: 5\n"
                + "event: x\ndata: d\n\n"));
    }

    @Test
    void aLeadingByteOrderMarkIsSkipped() {
        assertEquals(List.of(event("e", "{}")), decodeEveryWay("\uFEFFevent: e\ndata: {}\n\n"));
    }

    @Test
    void utf8SplitAcrossChunksDecodesWhole() {
        assertEquals(List.of(event(null, "éclair ☕")), decodeEveryWay("data: éclair ☕\n\n"));
    }

    @Test
    void aLastEventWithoutItsBlankLineIsStillHandedOver() {
        assertEquals(List.of(event("image_generation.completed", "{\"b64_json\":\"AA==\"}")),
                decodeEveryWay("event: image_generation.completed\ndata: {\"b64_json\":\"AA==\"}"));
    }

    @Test
    void aMultiMegabyteEventInSmallChunksArrivesWhole() {
        String payload = "A".repeat(4 * 1024 * 1024);
        byte[] bytes = ("event: image_generation.partial_image\ndata: {\"b64_json\":\"" + payload + "\"}\n\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<UpstreamStream.Event> events = new ArrayList<>();
        EventStreamDecoder decoder = new EventStreamDecoder();
        for (int at = 0; at < bytes.length; at += 8192) {
            decoder.feed(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 8192)), events::add);
        }
        assertEquals(1, events.size());
        assertEquals("{\"b64_json\":\"" + payload + "\"}", events.get(0).data());
    }

    @Test
    void anEventOverTheLimitIsRefused() {
        EventStreamDecoder decoder = new EventStreamDecoder(100);
        byte[] big = ("data: " + "x".repeat(200) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        assertThrows(EventStreamDecoder.TooLarge.class, () -> decoder.feed(big, e -> {
        }));
    }

    @Test
    void theLimitCountsOneEventNotTheWholeStream() {
        EventStreamDecoder decoder = new EventStreamDecoder(100);
        List<UpstreamStream.Event> events = new ArrayList<>();
        byte[] one = ("data: " + "x".repeat(60) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 10; i++) {
            decoder.feed(one, events::add);
        }
        assertEquals(10, events.size());
    }
}
