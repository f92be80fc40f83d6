package io.imagefn.emulator;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.awt.image.BufferedImage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;


import io.imagefn.config.ImagefnConfig;
import io.imagefn.http.FormParts;
import io.imagefn.http.RawMultipart;
import io.imagefn.images.EditRequest;
import io.imagefn.images.ImageHeader;
import io.imagefn.images.InputImage;
import io.imagefn.images.VariationRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImageRef;
import io.imagefn.images.ImagesApiException;
import io.imagefn.inputs.ImageInputs;
import io.imagefn.upstream.UpstreamTarget;

/**
 * The offline emulator: an OpenAI-compatible images API served by this process, so that a fresh checkout works with
 * no key and no network, through the same REST client as production. It draws placeholder images (not a model's),
 * answers in the exact response shape with {@code usage}, and marks every answer with {@code x-imagefn-emulator}. It
 * checks only what it needs to draw ({@link EmulatorChecks}), not the Images API's rules: imagefn applies those before
 * any upstream call.
 */
@Path("/emulator")
public class EmulatorResource {

    static final String MARKER = "x-imagefn-emulator";

    private final ImagefnConfig config;
    private final UpstreamTarget target;
    private final EmulatorFaults faults;

    public EmulatorResource(ImagefnConfig config, UpstreamTarget target, EmulatorFaults faults) {
        this.config = config;
        this.target = target;
        this.faults = faults;
    }

    @POST
    @Path("/v1/images/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, "text/event-stream" })
    public Response generations(Map<String, Object> body) {
        return answer(() -> {
            GenerateRequest r = GenerateRequest.fromJson(body);
            ImageModel model = EmulatorChecks.model(r.model(), ImageModel.DALL_E_2);
            String format = EmulatorChecks.output(model, r.responseFormat(), r.outputFormat());
            int[] size = EmulatorChecks.size(r.size());
            boolean transparent = model.supports(ImageModel.Param.BACKGROUND) && "transparent".equals(r.background());
            long seed = seed(r.prompt(), model, size);
            int count = EmulatorChecks.count(r.n());
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                images.add(ImageRenderer.render(size[0], size[1], transparent, seed * 31 + i));
            }
            return respond(model, r.prompt(), images, format, r.outputCompression(), transparent, r.quality(), size,
                    0, r.stream(), r.partialImages(), "image_generation");
        });
    }

    @POST
    @Path("/v1/images/edits")
    @Consumes(RawMultipart.RAW)
    @Produces({ MediaType.APPLICATION_JSON, "text/event-stream" })
    public Response edits(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return answer(() -> {
            FormParts parts = FormParts.parse(body, contentType);
            EditRequest r = EditRequest.fromForm(parts.text(), parts.files("image", "image[]"), parts.file("mask"));
            List<InputImage> inputs = r.images().stream().map(i -> InputImage.of(i.param(), i.bytes())).toList();
            InputImage mask = r.mask() == null ? null : InputImage.of("mask", r.mask().bytes());
            return edit(r, inputs, mask);
        });
    }

    /** OpenAI's JSON edit ({@code EditImageBodyJsonParam}), as imagefn sends an edit that carries moderation. */
    @POST
    @Path("/v1/images/edits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, "text/event-stream" })
    public Response editsJson(Map<String, Object> body) {
        return answer(() -> {
            EditRequest r = EditRequest.fromJson(body);
            if (!r.problems().isEmpty()) {
                throw r.problems().get(0);
            }
            List<InputImage> inputs = r.images().stream().map(EmulatorResource::inline).toList();
            InputImage mask = r.mask() == null ? null : inline(r.mask());
            return edit(r, inputs, mask);
        });
    }

    /** The emulator reads the images of a JSON edit from data URLs, the form imagefn sends them in. */
    private static InputImage inline(ImageRef ref) {
        if (ref.imageUrl() == null || !ref.imageUrl().regionMatches(true, 0, "data:", 0, 5)) {
            throw ImagesApiException.invalid(ref.param(), "invalid_image_url", "The offline emulator reads the images "
                    + "of a JSON edit from data URLs only.");
        }
        return InputImage.of(ref.param(), ImageInputs.dataUrl(ref.param(), ref.imageUrl()));
    }

    private Object edit(EditRequest r, List<InputImage> inputs, InputImage mask) {
        ImageModel model = EmulatorChecks.model(r.model(), ImageModel.GPT_IMAGE_1_5);
        String format = EmulatorChecks.output(model, r.responseFormat(), r.outputFormat());
        if (inputs.isEmpty()) {
            throw ImagesApiException.invalid("image", "missing_required_parameter",
                    "The offline emulator edits at least one image.");
        }
        // each input must be an image it can measure and decode; imagefn's input rules are imagefn's business
        ImageHeader first = inputs.get(0).header();
        int[] size = r.size() == null || r.size().equals("auto")
                ? EmulatedSize.forEdit(model, first.width(), first.height())
                : EmulatorChecks.size(r.size());
        boolean transparent = model.supports(ImageModel.Param.BACKGROUND) && "transparent".equals(r.background());
        EmulatedEdits.NoMask noMask = model.editInputs().squarePngs() ? EmulatedEdits.NoMask.OWN_TRANSPARENCY
                : EmulatedEdits.NoMask.WHOLE_IMAGE;
        long seed = seed(r.prompt(), model, size);
        int count = EmulatorChecks.count(r.n());
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            images.add(EmulatedEdits.edit(inputs, mask, noMask, size[0], size[1], transparent, seed * 31 + i));
        }
        int inputTokens = inputs.stream().mapToInt(i -> EmulatedUsage.imageTokens(i.header())).sum();
        return respond(model, r.prompt(), images, format, r.outputCompression(), transparent, r.quality(), size,
                inputTokens, r.stream(), r.partialImages(), "image_edit");
    }

    @POST
    @Path("/v1/images/variations")
    @Consumes(RawMultipart.RAW)
    @Produces(MediaType.APPLICATION_JSON)
    public Response variations(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return answer(() -> {
            FormParts parts = FormParts.parse(body, contentType);
            VariationRequest r = VariationRequest.fromForm(parts.text(), parts.file("image"));
            ImageModel model = EmulatorChecks.model(r.model(), ImageModel.DALL_E_2);
            EmulatorChecks.output(model, r.responseFormat(), null);
            if (r.image() == null) {
                throw ImagesApiException.invalid("image", "missing_required_parameter",
                        "The offline emulator varies one image.");
            }
            InputImage image = InputImage.of("image", r.image().bytes());
            int[] size = EmulatorChecks.size(r.size() == null ? "1024x1024" : r.size());
            long seed = java.util.Arrays.hashCode(image.bytes());
            int count = EmulatorChecks.count(r.n());
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                images.add(EmulatedEdits.vary(image, size[0], seed * 31 + i));
            }
            return body(model, null, images, "png", 100, false, null, size, 0);
        });
    }

    /** Runs one emulated call: queued faults first, then validation failures answered in the OpenAI shape. */
    private Response answer(Supplier<Object> work) {
        if (!enabled()) {
            return Response.status(404).build();
        }
        String requestId = "req_emu_" + UUID.randomUUID().toString().replace("-", "");
        Response fault = misbehave(requestId);
        if (fault != null) {
            return fault;
        }
        try {
            Object result = work.get();
            return marked(result instanceof StreamingOutput stream ? Response.ok(stream, "text/event-stream")
                    : Response.ok(result), requestId);
        } catch (ImagesApiException e) {
            return marked(Response.status(e.status()).entity(e.body()), requestId);
        }
    }

    private static long seed(String prompt, ImageModel model, int[] size) {
        return (prompt + "|" + model.name() + "|" + size[0] + "x" + size[1]).hashCode();
    }

    @POST
    @Path("/faults")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response addFault(EmulatorFaults.Fault fault) {
        if (!enabled()) {
            return Response.status(404).build();
        }
        faults.add(fault);
        return Response.ok(Map.of("pending", faults.pending())).build();
    }

    /** How many queued faults are still to be used: 0 once the last one's request has arrived. */
    @GET
    @Path("/faults")
    @Produces(MediaType.APPLICATION_JSON)
    public Response pendingFaults() {
        if (!enabled()) {
            return Response.status(404).build();
        }
        return Response.ok(Map.of("pending", faults.pending())).build();
    }

    @DELETE
    @Path("/faults")
    public Response clearFaults() {
        if (!enabled()) {
            return Response.status(404).build();
        }
        faults.clear();
        return Response.noContent().build();
    }

    private boolean enabled() {
        return config.emulator().enabled().orElseGet(target::usesEmulator);
    }

    private Response misbehave(String requestId) {
        EmulatorFaults.Fault fault = faults.next().orElse(null);
        if (fault == null) {
            return null;
        }
        if (fault.latencyMs() != null && fault.latencyMs() > 0) {
            try {
                Thread.sleep(fault.latencyMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fault.status() == null || fault.status() == 0) {
            return null;
        }
        int status = fault.status();
        Response.ResponseBuilder r = Response.status(status).entity(Map.of("error", errorFor(status)));
        if (fault.retryAfter() != null) {
            r.header("Retry-After", fault.retryAfter());
        }
        return marked(r, requestId);
    }

    private static Map<String, Object> errorFor(int status) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", status == 429 ? "Rate limit reached for images per minute (emulated)."
                : "The emulator was told to fail with HTTP " + status + ".");
        e.put("type", status == 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error");
        e.put("param", null);
        e.put("code", status == 429 ? "rate_limit_exceeded" : null);
        return e;
    }

    private static Response marked(Response.ResponseBuilder r, String requestId) {
        return r.header(MARKER, "offline-emulator").header("x-request-id", requestId).build();
    }

    /** The JSON response, or with {@code stream: true} the event stream. */
    private Object respond(ImageModel model, String prompt, List<BufferedImage> images, String outputFormat,
            Integer outputCompression, boolean transparent, String quality, int[] size, int inputImageTokens,
            Boolean stream, Integer partialImages, String eventPrefix) {
        // the API's defaults, resolved as the real service reports them
        String resolved = quality == null || quality.equals("auto") ? "medium" : quality;
        String format = outputFormat == null ? "png" : outputFormat;
        int compression = outputCompression == null ? 100 : outputCompression;
        if (!Boolean.TRUE.equals(stream)) {
            return body(model, prompt, images, format, compression, transparent, resolved, size, inputImageTokens);
        }
        EmulatedStream.Settings settings = new EmulatedStream.Settings(eventPrefix,
                partialImages == null ? 0 : partialImages, size[0] + "x" + size[1], resolved,
                transparent ? "transparent" : "opaque", format, compression, config.emulator().streamDelay());
        return EmulatedStream.of(settings, images,
                EmulatedUsage.of(prompt, images.size(), size, resolved, inputImageTokens));
    }

    /**
     * The response in OpenAI's shape, from resolved values: DALL·E answers carry only {@code created} and
     * {@code data}.
     */
    private static Map<String, Object> body(ImageModel model, String prompt, List<BufferedImage> images,
            String format, int compression, boolean transparent, String quality, int[] size, int inputImageTokens) {
        List<Map<String, Object>> data = new ArrayList<>();
        for (BufferedImage image : images) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("b64_json", Base64.getEncoder().encodeToString(ImageRenderer.encode(image, format, compression)));
            if (model.answer().revisesPrompt()) {
                item.put("revised_prompt", "A placeholder picture standing in for: " + prompt);
            }
            data.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("data", data);
        if (model.answer().outputDetails()) {
            body.put("background", transparent ? "transparent" : "opaque");
            body.put("output_format", format);
            body.put("quality", quality);
            body.put("size", size[0] + "x" + size[1]);
            body.put("usage", EmulatedUsage.of(prompt, images.size(), size, quality, inputImageTokens));
        }
        return body;
    }
}
