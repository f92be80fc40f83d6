package io.imagefn.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.imagefn.images.ErrorBody;
import io.imagefn.images.EstimatedCost;
import io.imagefn.images.ImageFormat;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.Usage;
import io.imagefn.limits.Admission;
import io.imagefn.memory.MemoryBudget;
import io.imagefn.observe.RequestRecord;
import io.imagefn.pricing.CostEstimator;
import io.imagefn.storage.ImageStore;
import io.imagefn.upstream.UpstreamException;
import io.imagefn.upstream.UpstreamStream;
import io.quarkus.logging.Log;

/**
 * Relays an upstream image stream to the caller as it arrives (spec §6), one event at a time with a flush each: partial
 * images pass through; each {@code *.completed} image is stored first and its event gains {@code url}, {@code id} and
 * {@code expires_at}. A failure mid-stream becomes a final {@code data: {"error":...}} event (what the official SDKs
 * raise), and the stream ends without a {@code [DONE]} sentinel, as OpenAI's does.
 */
public final class StreamRelay {

    private final UpstreamStream upstream;
    private final ImageStore store;
    private final ObjectMapper json;
    private final RequestRecord record;
    private final CostEstimator costs;
    private final String model;
    private final String owner;
    private final MemoryBudget.Lease held;
    /** Set once, by whichever comes first: the caller's writing, or abandoning the relay. */
    private final AtomicBoolean taken = new AtomicBoolean();
    private volatile boolean callerGone;
    private final Admission.Ticket ticket;
    private int completed;
    /** What the completed images cost, when each one said (its usage). */
    private BigDecimal priced = BigDecimal.ZERO;
    private boolean everyImagePriced = true;
    /** The upstream ended the stream itself, with its caller still there. */
    private boolean endedWhole;

    StreamRelay(UpstreamStream upstream, ImageStore store, ObjectMapper json, RequestRecord record, CostEstimator costs,
            String model, String owner, MemoryBudget.Lease held, Admission.Ticket ticket) {
        this.ticket = ticket;
        this.owner = owner;
        this.held = held;
        this.upstream = upstream;
        this.store = store;
        this.json = json;
        this.record = record;
        this.costs = costs;
        this.model = model;
    }

    /**
     * Closes the relay (the upstream stream, its slot, the memory it holds) unless {@link #writeTo} has started within
     * {@code deadline}: a server does not write a response whose caller left before it was ready, and that stream
     * would otherwise run on, paid and unread, until the upstream timeout.
     */
    public void abandonUnlessStartedWithin(Duration deadline) {
        CompletableFuture.delayedExecutor(deadline.toNanos(), TimeUnit.NANOSECONDS).execute(this::abandon);
    }

    private void abandon() {
        if (taken.compareAndSet(false, true)) {
            Log.debug("A stream's caller never took it; its upstream stream is cancelled");
            upstream.close();
            held.close();
            record.clientClosed();
            // the generation was under way: it is paid
            ticket.paid(Optional.empty());
        }
    }

    /**
     * The caller was dropped (it stopped reading) while the relay may be waiting for the upstream: the upstream stream
     * is cancelled now, which ends that wait, and its slot freed.
     */
    public void callerGone() {
        callerGone = true;
        upstream.close();
    }

    /** Writes every event to {@code out}; returns when the upstream ends, fails, or the caller goes away. */
    public void writeTo(OutputStream out) throws IOException {
        if (!taken.compareAndSet(false, true)) {
            throw new IOException("the stream was given up: its caller did not take it in time");
        }
        try {
            relayAll(out);
        } finally {
            // an opened stream is paid: what its completed images cost when it ended with each one priced, else the
            // reserved greatest cost (a stream cut short may still be billed whole)
            ticket.paid(endedWhole && completed > 0 && everyImagePriced ? Optional.of(priced) : Optional.empty());
        }
    }

    private void relayAll(OutputStream out) throws IOException {
        try (held; upstream) {
            for (UpstreamStream.Event event = upstream.next(); event != null; event = upstream.next()) {
                if (event.data() == null || event.data().isBlank() || event.data().startsWith("[DONE]")) {
                    continue;
                }
                relay(out, event.name(), event.data());
            }
            endedWhole = !callerGone;
            if (callerGone) {
                throw new IOException("the caller was dropped for not reading");
            }
            if (completed > 0) {
                record.succeeded();
            } else {
                record.failed(streamError("The upstream stream ended without a completed image."));
            }
        } catch (UpstreamException e) {
            Log.warnf("Upstream stream failed: status %d, request %s", e.status(), e.requestId().orElse("-"));
            record.upstreamRequestId(e.requestId());
            boolean timedOut = "upstream_timeout".equals(e.error().code());
            String message = timedOut ? "The upstream image stream did not end within the upstream timeout."
                    : "The upstream images API failed during the stream.";
            String code = timedOut ? "upstream_timeout" : "upstream_stream_error";
            record.failed(new ImagesApiException(timedOut ? 504 : 502, "api_error", null, code, message, null));
            write(out, "error", error(message, code));
        } catch (IOException e) {
            // the caller went away (or was dropped for not reading): the images completed so far were stored, and
            // closing the upstream stream (try-with-resources) cancels the rest and frees its slot
            record.clientClosed();
            throw e;
        } catch (RuntimeException e) {
            Log.warn("Image stream failed", e);
            record.failed(streamError("The image stream broke before it completed."));
            write(out, "error", error("The image stream broke before it completed.", "upstream_stream_error"));
        }
    }

    private static ImagesApiException streamError(String message) {
        return new ImagesApiException(502, "api_error", null, "upstream_stream_error", message, null);
    }

    /**
     * One event, written as it is relayed: a completed image's event with what storing it gave. The event is held
     * as the client delivered it and as a tree; the answer is written straight to the caller, not built as a string.
     */
    private void relay(OutputStream out, String name, String data) throws IOException {
        JsonNode node;
        try {
            node = json.readTree(data);
        } catch (IOException notJson) {
            write(out, name, error("The upstream sent an event that is not JSON.", "bad_upstream_response"));
            return;
        }
        if (!(node instanceof ObjectNode event) || event.has("error")) {
            // re-serialized: JSON text spread over lines would break the event into several data lines
            write(out, name, json.writeValueAsString(node));
            return;
        }
        String type = event.path("type").asText("");
        if (type.endsWith(".completed") && event.path("b64_json").isTextual()) {
            completed++;
            store(event);
            price(event);
        }
        out.write(head(name));
        json.writeValue(new NonClosing(out), event);
        out.write(END);
        out.flush();
    }

    private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

    private static byte[] head(String name) {
        return ((name != null && !name.isBlank() ? "event: " + name + "\n" : "") + "data: ")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Jackson closes the stream it wrote to; the caller's stream stays open for the next event. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** The final image of a {@code completed} event is paid for: store it, or say it was not stored. */
    private void store(ObjectNode event) {
        byte[] bytes;
        try {
            // decoded from the tree's text: no second copy of it as bytes first
            bytes = event.get("b64_json").binaryValue();
        } catch (IOException | IllegalArgumentException e) {
            event.put("stored", false);
            record.image(false);
            return;
        }
        ImageFormat format = ImageFormat.sniff(bytes).orElse(null);
        if (format == null) {
            event.put("stored", false);
            record.image(false);
            return;
        }
        Optional<ImageStore.StoredImage> put = store.tryPut(bytes, format, "a streamed image", owner);
        record.image(put.isPresent());
        put.ifPresentOrElse(stored -> {
            // the event carries the image inline (b64_json), so its stored copy's URL is stored_url, as in data[]
            event.put("stored_url", stored.url().toString());
            event.put("id", stored.id());
            event.put("expires_at", stored.expiresAt().getEpochSecond());
        }, () -> event.put("stored", false));
    }

    /** A completed event carries its {@code usage}: price it, and add imagefn's {@code estimated_cost}. */
    private void price(ObjectNode event) {
        Usage usage = event.hasNonNull("usage") ? json.convertValue(event.get("usage"), Usage.class) : null;
        Optional<EstimatedCost> cost = costs.estimate(model, 1, event.path("size").asText(null),
                event.path("quality").asText(null), usage);
        record.cost(cost);
        cost.ifPresentOrElse(c -> priced = priced.add(c.usd()), () -> everyImagePriced = false);
        cost.ifPresent(c -> event.set("estimated_cost", json.valueToTree(c)));
    }

    private String error(String message, String code) throws IOException {
        return json.writeValueAsString(new ErrorBody(new ErrorBody.Error(message, "api_error", null, code)));
    }

    /** One event whose data is a single line (JSON written by Jackson has no raw line breaks). */
    private static void write(OutputStream out, String name, String data) throws IOException {
        out.write(head(name));
        out.write(data.getBytes(StandardCharsets.UTF_8));
        out.write(END);
        out.flush();
    }
}
