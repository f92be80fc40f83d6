package io.imagefn.upstream;

import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

import com.fasterxml.jackson.core.JacksonException;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.Edit;
import io.imagefn.images.EditRequest;
import io.imagefn.images.Generation;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.InputImage;
import io.imagefn.images.Variation;
import io.imagefn.inputs.ImageInputs;
import io.imagefn.images.VariationRequest;
import io.imagefn.observe.Telemetry;
import io.imagefn.observe.UpstreamAttempt;
import io.smallrye.faulttolerance.api.CustomBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * The one way to the upstream images API. The fault tolerance lives here, once, on the class so that every operation
 * gets it; application.properties maps {@code quarkus.fault-tolerance."io.imagefn.upstream.UpstreamClient".*} to
 * {@code imagefn.upstream.*}, so the values are configuration, not code.
 * <ul>
 * <li>retry: 408/409/429/5xx and connection failures, honouring {@code retry-after-ms}/{@code Retry-After};</li>
 * <li>timeout per attempt, never retried (a slow generation may still be billed);</li>
 * <li>circuit breaker on 5xx, connection failures and timeouts only: a caller's bad request never opens it;</li>
 * <li>bulkhead: a cap on exchanges in flight, the excess refused at once ({@link UpstreamSlots}: a call holds its
 * slot until its answer is read, a stream until it ends);</li>
 * <li>a deadline per exchange: a call's answer, and a stream's last event, within the attempt's timeout.</li>
 * </ul>
 */
@ApplicationScoped
@Retry(maxRetries = 2, delay = 0, jitter = 0, maxDuration = 900, durationUnit = ChronoUnit.SECONDS)
@RetryWhen(exception = RetryableFailure.class)
@CustomBackoff(RetryAfterBackoff.class)
@CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
        failOn = { UpstreamUnavailableException.class, TimeoutException.class })
@Timeout(value = 300, unit = ChronoUnit.SECONDS)
public class UpstreamClient {

    private final ImagefnConfig.Upstream config;
    private final UpstreamConnection connection;
    private final Telemetry telemetry;
    private final UpstreamSlots slots;

    public UpstreamClient(ImagefnConfig config, UpstreamConnection connection, Telemetry telemetry,
            UpstreamSlots slots) {
        this.config = config.upstream();
        this.connection = connection;
        this.telemetry = telemetry;
        this.slots = slots;
    }

    public UpstreamAnswer generate(Generation generation) {
        GenerationsBody body = body(generation, false);
        return call("generations", () -> api().generations(body));
    }

    /**
     * Starts a streamed generation and waits for its first event: the fault tolerance covers this opening (a 429 or
     * 5xx before anything was generated is retried); once events flow, nothing is retried, since the upstream is
     * producing billed images. The stream keeps an upstream slot and must end within the attempt's timeout; the
     * caller must close it.
     */
    public UpstreamStream openGenerationStream(Generation generation) {
        GenerationsBody body = body(generation, true);
        return open("generations_stream", () -> api().generationsStream(body));
    }

    /** Starts a streamed edit and waits for its first event, as {@link #openGenerationStream(Generation)}. */
    public UpstreamStream openEditStream(Edit edit, List<InputImage> images, InputImage mask) {
        if (UpstreamScope.jsonForm(edit.request())) {
            EditsJsonBody body = editJson(edit, images, mask, true);
            return open("edits_stream", () -> api().editsJsonStream(body));
        }
        ClientMultipartForm form = editForm(edit, images, mask);
        text(form, "stream", "true");
        text(form, "partial_images", edit.request().partialImages());
        return open("edits_stream", () -> api().editsStream(edit.model().name(), form));
    }

    private static GenerationsBody body(Generation generation, boolean stream) {
        GenerateRequest r = generation.request();
        // Always ask for base64 so the bytes can be stored; GPT image models send it anyway and refuse the field.
        String responseFormat = generation.model().answer().takesResponseFormat() ? "b64_json" : null;
        return new GenerationsBody(r.prompt(), generation.model().name(), r.n(), r.quality(), responseFormat,
                r.outputFormat(), r.outputCompression(), r.size(), r.moderation(), r.background(), r.style(), r.user(),
                stream ? Boolean.TRUE : null, stream ? r.partialImages() : null);
    }

    private UpstreamStream open(String operation, Supplier<Multi<byte[]>> request) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.timeoutSeconds());
        UpstreamSlots.Slot slot = slots.acquire();
        try (UpstreamAttempt attempt = telemetry.upstreamAttempt(operation)) {
            try {
                // blocks until the first event, or the failure that came instead
                UpstreamStream stream = UpstreamStream.open(request.get(), deadline, config.timeoutSeconds(), slot);
                attempt.answered(200, null);
                return stream;
            } catch (RuntimeException e) {
                slot.release();
                throw failed(attempt, classify(e));
            }
        }
    }

    /** Records how an attempt failed on its span and timer, and passes the failure on. */
    private static RuntimeException failed(UpstreamAttempt attempt, RuntimeException e) {
        if (e instanceof UpstreamException u && "bad_upstream_response".equals(u.error().code())) {
            attempt.broken("bad_response");
        } else if (e instanceof UpstreamException u && u.status() > 0) {
            attempt.answered(u.status(), u.requestId().orElse(null));
        } else if (e instanceof UpstreamException) {
            attempt.broken("connection_failed");
        } else {
            attempt.broken("error");
        }
        return e;
    }


    /**
     * {@code POST /images/edits} as multipart, the encoding every model takes: one image as part {@code image},
     * several as repeated {@code image[]} parts (what the official SDKs send), the mask as {@code mask}. An edit that
     * carries a field only OpenAI's JSON form has ({@code moderation}) goes in that form, its images as data URLs.
     */
    public UpstreamAnswer edit(Edit edit, List<InputImage> images, InputImage mask) {
        if (UpstreamScope.jsonForm(edit.request())) {
            EditsJsonBody body = editJson(edit, images, mask, false);
            return call("edits", () -> api().editsJson(body));
        }
        ClientMultipartForm form = editForm(edit, images, mask);
        return call("edits", () -> api().edits(edit.model().name(), form));
    }

    /**
     * The JSON form of an edit. Each image becomes a data URL, which OpenAI takes up to 20,971,520 characters: a
     * larger image is refused here, before the call, naming it.
     */
    private static EditsJsonBody editJson(Edit edit, List<InputImage> images, InputImage mask, boolean stream) {
        EditRequest r = edit.request();
        List<EditsJsonBody.ImageUrl> refs = images.stream().map(UpstreamClient::dataUrl).toList();
        return new EditsJsonBody(refs, mask == null ? null : dataUrl(mask), r.prompt(), edit.model().name(), r.n(),
                r.size(), r.quality(), r.inputFidelity(), r.outputFormat(), r.outputCompression(), r.background(),
                r.moderation(), r.user(), stream ? Boolean.TRUE : null, stream ? r.partialImages() : null);
    }

    private static EditsJsonBody.ImageUrl dataUrl(InputImage image) {
        String prefix = "data:" + image.header().format().contentType() + ";base64,";
        long chars = prefix.length() + 4L * ((image.bytes().length + 2) / 3);
        if (chars > ImageInputs.MAX_IMAGE_URL_CHARS) {
            throw ImagesApiException.invalid(image.param(), "image_too_large", "Invalid '" + image.param() + "': "
                    + "an edit with 'moderation' goes upstream in OpenAI's JSON form, whose data URLs hold at most "
                    + ImageInputs.MAX_IMAGE_URL_CHARS + " characters; this image needs " + chars + ". Send a smaller "
                    + "image, or leave 'moderation' out.");
        }
        return new EditsJsonBody.ImageUrl(prefix + Base64.getEncoder().encodeToString(image.bytes()));
    }

    private static ClientMultipartForm editForm(Edit edit, List<InputImage> images, InputImage mask) {
        EditRequest r = edit.request();
        ClientMultipartForm form = ClientMultipartForm.create();
        if (images.size() == 1) {
            file(form, "image", "image", images.get(0));
        } else {
            for (int i = 0; i < images.size(); i++) {
                file(form, "image[]", "image-" + (i + 1), images.get(i));
            }
        }
        if (mask != null) {
            file(form, "mask", "mask", mask);
        }
        text(form, "prompt", r.prompt());
        text(form, "model", edit.model().name());
        text(form, "n", r.n());
        text(form, "size", r.size());
        text(form, "quality", r.quality());
        text(form, "input_fidelity", r.inputFidelity());
        text(form, "output_format", r.outputFormat());
        text(form, "output_compression", r.outputCompression());
        text(form, "background", r.background());
        text(form, "response_format", edit.model().answer().takesResponseFormat() ? "b64_json" : null);
        text(form, "user", r.user());
        return form;
    }

    /** {@code POST /images/variations} as multipart ({@link UpstreamScope} refused it where there is none). */
    public UpstreamAnswer variation(Variation variation, InputImage image) {
        VariationRequest r = variation.request();
        ClientMultipartForm form = ClientMultipartForm.create();
        file(form, "image", "image", image);
        text(form, "model", variation.model().name());
        text(form, "n", r.n());
        text(form, "size", r.size());
        text(form, "response_format", "b64_json");
        text(form, "user", r.user());
        return call("variations", () -> api().variations(form));
    }

    private static void file(ClientMultipartForm form, String part, String baseName, InputImage image) {
        form.binaryFileUpload(part, baseName + "." + image.header().format().extension(),
                Buffer.buffer(image.bytes()), image.header().format().contentType());
    }

    private static void text(ClientMultipartForm form, String name, Object value) {
        if (value != null) {
            form.attribute(name, value.toString(), null);
        }
    }

    /**
     * One attempt, done when the status and headers have arrived: the body is read afterwards, outside the retries
     * and the timeout ({@link UpstreamAnswer}), since from then on the images exist and are billed. The attempt's
     * upstream slot is held until the answer is closed.
     */
    private UpstreamAnswer call(String operation, Supplier<Response> request) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.timeoutSeconds());
        UpstreamSlots.Slot slot = slots.acquire();
        try (UpstreamAttempt attempt = telemetry.upstreamAttempt(operation)) {
            Response response;
            try {
                response = request.get();
            } catch (RuntimeException e) {
                slot.release();
                throw failed(attempt, classify(e));
            }
            attempt.answered(response.getStatus(), UpstreamException.requestId(response::getHeaderString));
            return new UpstreamAnswer(response, deadline, slot);
        }
    }

    /**
     * What a call or a stream failed with: the mapped upstream error, an unusable answer, or (for the client's
     * {@link ProcessingException}) a broken connection. Anything else is passed on as it is.
     */
    static RuntimeException classify(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                // ours, however the client wrapped it: never reported as an unusable upstream answer
                return ImagesApiException.outOfMemory("while receiving the upstream's answer");
            }
            if (c instanceof UpstreamException u) {
                return u;
            }
            if (c instanceof JacksonException) {
                // also a b64_json that is not valid base64, which Jackson decodes while parsing
                return UpstreamException.badResponse("malformed JSON or base64", null, e);
            }
        }
        return e instanceof ProcessingException ? UpstreamException.connectionFailed(e) : e;
    }

    private ImagesWire api() {
        return connection.api();
    }
}
