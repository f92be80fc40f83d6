package io.imagefn.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.Edit;
import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.Generation;
import io.imagefn.images.ImageFormat;
import io.imagefn.images.ImageRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.InputImage;
import io.imagefn.images.Variation;
import io.imagefn.images.VariationRequest;
import io.imagefn.inputs.ImageInputs;
import io.imagefn.storage.ImageStore;
import io.imagefn.upstream.UpstreamClient;
import io.imagefn.upstream.UpstreamException;
import io.imagefn.upstream.UpstreamImages;
import io.quarkus.logging.Log;

/**
 * One implementation behind every binding: validate (no upstream call for a bad request), call the upstream, store
 * every image and sign its URL. An image the upstream produced is never dropped: if it cannot be stored it is returned
 * inline instead.
 */
@ApplicationScoped
public class ImagePipeline {

    private final ImagefnConfig config;
    private final UpstreamClient upstream;
    private final ImageStore store;
    private final ImageInputs inputs;
    private final ObjectMapper json;

    public ImagePipeline(ImagefnConfig config, UpstreamClient upstream, ImageStore store, ImageInputs inputs,
            ObjectMapper json) {
        this.config = config;
        this.upstream = upstream;
        this.store = store;
        this.inputs = inputs;
        this.json = json;
    }

    public ImagesResponse generate(GenerateRequest request) {
        Generation generation = ImageRules.validate(request, config.upstream().allowUnknownModels());
        refuseStreaming(request.stream());
        UpstreamImages produced = call(() -> upstream.generate(generation));
        return store(produced, request.wantsBase64());
    }

    public ImagesResponse edit(EditRequest request) {
        Edit edit = ImageRules.validateEdit(request, config.upstream().allowUnknownModels());
        refuseStreaming(request.stream());
        EditInputs in = load(edit);
        UpstreamImages produced = call(() -> upstream.edit(edit, in.images(), in.mask()));
        return store(produced, request.wantsBase64());
    }

    public ImagesResponse variation(VariationRequest request) {
        Variation variation = ImageRules.validateVariation(request, config.upstream().allowUnknownModels());
        InputImage image = inputs.load(request.image());
        ImageRules.checkVariationInput(image);
        UpstreamImages produced = call(() -> upstream.variation(variation, image));
        return store(produced, request.wantsBase64());
    }

    /** {@code stream: true} generations: validated and opened here, so a failure before any event is a real status. */
    public StreamRelay streamGeneration(GenerateRequest request) {
        Generation generation = ImageRules.validate(request, config.upstream().allowUnknownModels());
        return new StreamRelay(call(() -> upstream.openGenerationStream(generation)), store, json);
    }

    /** {@code stream: true} edits. */
    public StreamRelay streamEdit(EditRequest request) {
        Edit edit = ImageRules.validateEdit(request, config.upstream().allowUnknownModels());
        EditInputs in = load(edit);
        return new StreamRelay(call(() -> upstream.openEditStream(edit, in.images(), in.mask())), store, json);
    }

    private record EditInputs(List<InputImage> images, InputImage mask) {
    }

    /** Fetches and measures an edit's images and mask, then applies the byte-level rules. */
    private EditInputs load(Edit edit) {
        EditRequest request = edit.request();
        List<InputImage> images = request.images().stream().map(inputs::load).toList();
        InputImage mask = request.mask() == null ? null : inputs.load(request.mask());
        ImageRules.checkEditInputs(edit.model(), images, mask);
        return new EditInputs(images, mask);
    }

    private static void refuseStreaming(Boolean stream) {
        if (Boolean.TRUE.equals(stream)) {
            throw ImagesApiException.invalid("stream", "unsupported_parameter",
                    "The functions answer with one JSON response; streaming is not served by them.");
        }
    }

    private ImagesResponse store(UpstreamImages produced, boolean inline) {
        List<ImagesResponse.ImageData> data = new ArrayList<>(produced.images().size());
        String requestId = produced.requestId().orElse("-");
        for (UpstreamImages.Image image : produced.images()) {
            ImageFormat format = ImageFormat.sniff(image.bytes()).orElseThrow(() -> new ImagesApiException(502,
                    "api_error", null, "bad_upstream_response",
                    "The upstream returned data that is not a PNG, JPEG or WebP image (upstream request " + requestId
                            + ").", null));
            Optional<ImageStore.StoredImage> stored = store.tryPut(image.bytes(), format,
                    "an image of upstream request " + requestId);
            // an image that could not be stored goes inline whatever was asked: it is never dropped
            String b64 = inline || stored.isEmpty() ? Base64.getEncoder().encodeToString(image.bytes()) : null;
            data.add(stored.map(s -> new ImagesResponse.ImageData(s.url().toString(), b64, image.revisedPrompt(),
                    s.id(), s.expiresAt().getEpochSecond(), null))
                    .orElseGet(() -> new ImagesResponse.ImageData(null, b64, image.revisedPrompt(), null, null,
                            Boolean.FALSE)));
        }
        return new ImagesResponse(produced.created(), data, produced.background(), produced.outputFormat(),
                produced.quality(), produced.size(), produced.usage());
    }

    /** Runs an upstream call and turns its failures into what the caller should see. */
    private static <T> T call(Supplier<T> upstreamCall) {
        try {
            return upstreamCall.get();
        } catch (UpstreamException e) {
            throw toCallerError(e);
        } catch (TimeoutException e) {
            throw new ImagesApiException(504, "api_error", null, "upstream_timeout",
                    "The upstream images API did not answer in time.", null);
        } catch (CircuitBreakerOpenException e) {
            throw new ImagesApiException(503, "api_error", null, "upstream_unavailable",
                    "The upstream images API is failing; calls are paused for a while. Retry later.",
                    Duration.ofSeconds(5));
        } catch (BulkheadException e) {
            throw new ImagesApiException(503, "api_error", null, "too_many_concurrent_requests",
                    "Too many image requests in flight on this instance. Retry shortly.", Duration.ofSeconds(1));
        }
    }

    static ImagesApiException toCallerError(UpstreamException e) {
        int status = e.status();
        UpstreamException.UpstreamError error = e.error();
        String requestId = e.requestId().orElse("-");
        Log.warnf("Upstream failed: status %d, type %s, code %s, request %s", status, error.type(), error.code(),
                requestId);
        if (status == 401 || status == 403) {
            // our credentials, not the caller's: say so without passing on details
            return new ImagesApiException(502, "api_error", null, "upstream_auth_failed",
                    "The upstream images API refused imagefn's credentials. An operator must check the configured "
                            + "API key.", null);
        }
        if (status == 429) {
            Duration wait = e.retryAfter().orElse(Duration.ofSeconds(1));
            String code = error.code() == null ? "rate_limit_exceeded" : error.code();
            // the upstream's text names our organization: keep it out
            return new ImagesApiException(429, error.type() == null ? "requests" : error.type(), null, code, "The upstream images API is rate limiting requests (" + code + "). Retry after "
                            + Math.max(1, (wait.toMillis() + 999) / 1000) + " seconds.", wait);
        }
        if (status >= 400 && status < 500 && status != 408 && status != 409) {
            String message = error.message() == null ? "The upstream images API rejected the request." : error.message();
            String type = error.type() == null ? ImagesApiException.INVALID_REQUEST : error.type();
            return new ImagesApiException(status, type, error.param(), error.code(), message, null);
        }
        String what = status == 0 ? "could not be reached" : status == 502 && "bad_upstream_response".equals(error.code())
                ? "sent an unusable response (" + error.message() + ")" : "failed with status " + status;
        return new ImagesApiException(502, "api_error", null,
                error.code() == null ? "upstream_error" : error.code(),
                "The upstream images API " + what + " (upstream request " + requestId + ").", null);
    }
}
