package io.imagefn.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Server-sent events from the bytes of an event stream as they arrive, in one pass: each byte is looked at once,
 * however the stream is cut into chunks. (The REST client's own parser starts an event over from its first byte at
 * every chunk that ends inside it, which turns one 4-MB partial image into a gigabyte of work and 40 s.) Lines end in
 * CR, LF or CRLF; {@code data} lines are joined with LF; {@code event} names the event; comments, {@code id} and
 * {@code retry} are not needed here and are skipped; a blank line ends an event (WHATWG HTML, "event stream
 * interpretation").
 */
final class EventStreamDecoder {

    /** An event larger than this is not an image event: the stream is refused rather than held in memory. */
    static final long MAX_EVENT_CHARS = UpstreamAnswer.MAX_IMAGE_BYTES / 3 * 4 + 1024 * 1024;

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final long maxEventChars;
    private StringBuilder data;
    private String name;
    private long eventChars;
    private boolean afterCr;
    private boolean firstLine = true;

    EventStreamDecoder() {
        this(MAX_EVENT_CHARS);
    }

    EventStreamDecoder(long maxEventChars) {
        this.maxEventChars = maxEventChars;
    }

    /** An event over the size limit. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long limit) {
            super("an event of the upstream stream is larger than " + limit + " characters", null, false, false);
        }
    }

    /**
     * Takes the next bytes of the stream and hands every event they complete to {@code events}.
     *
     * @throws TooLarge when an event grows past the limit
     */
    void feed(byte[] bytes, Consumer<UpstreamStream.Event> events) {
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n' && afterCr) {
                // the LF of a CRLF whose CR ended the line already (perhaps in the previous chunk)
                afterCr = false;
                start = i + 1;
            } else if (b == '\n' || b == '\r') {
                append(bytes, start, i - start);
                afterCr = b == '\r';
                endOfLine(events);
                start = i + 1;
            } else {
                afterCr = false;
            }
        }
        append(bytes, start, bytes.length - start);
    }

    /**
     * The end of the stream: an event whose closing blank line never came is still handed over (the spec drops it;
     * an upstream that leaves the last one out would otherwise lose a paid image).
     */
    void end(Consumer<UpstreamStream.Event> events) {
        if (line.size() > 0) {
            endOfLine(events);
        }
        dispatch(events);
    }

    private void append(byte[] bytes, int from, int length) {
        if (length > 0) {
            eventChars += length;
            if (eventChars > maxEventChars) {
                throw new TooLarge(maxEventChars);
            }
            line.write(bytes, from, length);
        }
    }

    private void endOfLine(Consumer<UpstreamStream.Event> events) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (firstLine) {
            // a byte order mark may open the stream
            firstLine = false;
            text = text.startsWith("\uFEFF") ? text.substring(1) : text;
        }
        if (text.isEmpty()) {
            dispatch(events);
            return;
        }
        if (text.charAt(0) == ':') {
            return; // a comment
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        int valueStart = colon < 0 ? text.length() : colon + 1 < text.length() && text.charAt(colon + 1) == ' '
                ? colon + 2 : colon + 1;
        if (field.equals("data")) {
            if (data == null) {
                data = new StringBuilder(text.length() - valueStart);
            } else {
                data.append('\n');
            }
            data.append(text, valueStart, text.length());
        } else if (field.equals("event")) {
            name = text.substring(valueStart);
        }
    }

    private void dispatch(Consumer<UpstreamStream.Event> events) {
        if (data != null) {
            events.accept(new UpstreamStream.Event(name, data.toString()));
        }
        data = null;
        name = null;
        eventChars = 0;
    }
}
