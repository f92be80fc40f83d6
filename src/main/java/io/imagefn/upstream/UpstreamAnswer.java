package io.imagefn.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.imagefn.images.ImageBytes;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.Usage;

/**
 * A successful upstream answer whose status and headers have arrived and whose body is still on the wire. The body
 * is parsed as it streams in: each {@code b64_json} is decoded chunk by chunk into its own {@link ImageBytes} and
 * handed over as soon as it is complete, so at most one image is held, never the whole answer as text or a tree.
 * Nothing here is retried: the images are produced, and paid for, once the answer has begun.
 */
public final class UpstreamAnswer implements AutoCloseable {

    /** Above any image the API produces (a 3840x2160 PNG of noise is about 25 MB); the same cap as downloads. */
    static final long MAX_IMAGE_BYTES = UpstreamDownloads.MAX_DOWNLOAD_BYTES;

    private final Optional<String> requestId;
    private final Supplier<InputStream> body;
    private final Runnable release;
    private final long deadline;
    private int count;

    /**
     * @param deadline when the answer must be complete ({@link System#nanoTime()}): the attempt's timeout
     * @param slot     the exchange's upstream slot, given back when the answer is closed
     */
    UpstreamAnswer(Response response, long deadline, UpstreamSlots.Slot slot) {
        this(Optional.ofNullable(UpstreamException.requestId(response::getHeaderString)),
                () -> response.readEntity(InputStream.class), () -> {
                    try {
                        response.close();
                    } finally {
                        slot.release();
                    }
                }, deadline);
    }

    UpstreamAnswer(Optional<String> requestId, Supplier<InputStream> body, Runnable release, long deadline) {
        this.requestId = requestId;
        this.body = body;
        this.release = release;
        this.deadline = deadline;
    }

    public Optional<String> requestId() {
        return requestId;
    }

    /** How many images were handed over so far. */
    public int received() {
        return count;
    }

    /**
     * Reads the answer to its end, giving each image to {@code images} as soon as it is complete.
     *
     * @throws UpstreamException {@code bad_upstream_response} when the body is not a usable images response or
     *         breaks off; the images handed over before that stay handed over
     */
    public UpstreamImages read(ObjectMapper json, Consumer<UpstreamImages.Image> images) {
        Long created = null;
        String background = null, outputFormat = null, quality = null, size = null;
        Usage usage = null;
        // a value inside the answer: what follows it is the rest of the answer, not trailing content
        ObjectReader usageReader = json.readerFor(Usage.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try (InputStream in = new Deadline(body.get(), deadline); JsonParser p = json.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("not a JSON object", null);
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "created" -> created = is(value, JsonToken.VALUE_NUMBER_INT, field) ? p.getLongValue() : null;
                    case "data" -> {
                        if (is(value, JsonToken.START_ARRAY, field)) {
                            readData(p, images);
                        }
                    }
                    case "background" -> background = text(p, value, field);
                    case "output_format" -> outputFormat = text(p, value, field);
                    case "quality" -> quality = text(p, value, field);
                    case "size" -> size = text(p, value, field);
                    case "usage" -> usage = is(value, JsonToken.START_OBJECT, field) ? usageReader.readValue(p) : null;
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw bad("malformed JSON", null);
            }
        } catch (Deadline.Passed e) {
            throw new ImagesApiException(504, "api_error", null, "upstream_timeout", "The upstream images API did not "
                    + "finish its answer in time" + (count == 0 ? "" : " (it broke off after " + count + " images)")
                    + " (upstream request " + requestId.orElse("-") + ").", null);
        } catch (ImageBytes.TooLarge e) {
            throw bad(e.getMessage(), e);
        } catch (JacksonException e) {
            // also a b64_json that is not valid base64, which is decoded while it is parsed
            throw bad("malformed JSON or base64", e);
        } catch (IOException e) {
            throw bad("the answer broke off (" + e.getClass().getSimpleName() + ")", e);
        }
        if (count == 0) {
            throw bad("no images in the response", null);
        }
        return new UpstreamImages(created == null ? System.currentTimeMillis() / 1000 : created, count, background,
                outputFormat, quality, size, usage, requestId);
    }

    private void readData(JsonParser p, Consumer<UpstreamImages.Image> images) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                throw bad("an item of data is not an object", null);
            }
            UpstreamImages.Image image = readItem(p);
            count++;
            images.accept(image);
        }
    }

    private UpstreamImages.Image readItem(JsonParser p) throws IOException {
        ImageBytes bytes = null;
        String url = null, revisedPrompt = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "b64_json" -> bytes = is(value, JsonToken.VALUE_STRING, field) ? decode(p) : null;
                case "url" -> url = text(p, value, field);
                case "revised_prompt" -> revisedPrompt = text(p, value, field);
                default -> p.skipChildren();
            }
        }
        if (bytes == null && url == null) {
            throw bad("an image has neither b64_json nor url", null);
        }
        return new UpstreamImages.Image(bytes, bytes == null ? url(url) : null, revisedPrompt);
    }

    private static ImageBytes decode(JsonParser p) throws IOException {
        ImageBytes bytes = ImageBytes.capped(MAX_IMAGE_BYTES);
        try {
            p.readBinaryValue(bytes);
        } catch (IllegalArgumentException notBase64) {
            throw new JsonParseException(p, "b64_json is not base64", notBase64);
        }
        return bytes;
    }

    private String text(JsonParser p, JsonToken value, String field) throws IOException {
        return is(value, JsonToken.VALUE_STRING, field) ? p.getText() : null;
    }

    /**
     * Whether a known field holds the kind of value the API defines; false for JSON {@code null} (the field is
     * absent), and an unusable answer for any other kind.
     */
    private boolean is(JsonToken value, JsonToken kind, String field) {
        if (value == kind) {
            return true;
        }
        if (value == JsonToken.VALUE_NULL) {
            return false;
        }
        throw bad(field + " is not " + (kind == JsonToken.VALUE_STRING ? "a string" : kind == JsonToken.START_ARRAY
                ? "an array" : kind == JsonToken.START_OBJECT ? "an object" : "an integer"), null);
    }

    private URI url(String url) {
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw bad("an image url is not a URL", e);
        }
    }

    private UpstreamException bad(String why, Throwable cause) {
        return UpstreamException.badResponse(count == 0 ? why : why + " after " + count + " images",
                requestId.orElse(null), cause);
    }

    /**
     * The answer's body, cut when the attempt's time is up: a body that trickles in is not waited for beyond the
     * timeout (the socket's read timeout ends one that stalls altogether).
     */
    private static final class Deadline extends FilterInputStream {

        static final class Passed extends IOException {
        }

        private final long deadline;

        Deadline(InputStream in, long deadline) {
            super(in);
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            check();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check();
            return super.read(b, off, len);
        }

        private void check() throws Passed {
            if (System.nanoTime() - deadline > 0) {
                throw new Passed();
            }
        }
    }

    /** Releases the connection, read to its end or not. */
    @Override
    public void close() {
        release.run();
    }
}
