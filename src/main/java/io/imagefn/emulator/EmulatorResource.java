package io.imagefn.emulator;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.Generation;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImageRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.upstream.UpstreamTarget;

/**
 * The offline emulator: an OpenAI-compatible images API served by this process, so that a fresh checkout works with
 * no key and no network, through the same REST client as production. It validates like the real API, draws
 * placeholder images (not a model's), answers in the exact response shape with {@code usage}, and marks every answer
 * with {@code x-imagefn-emulator}.
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
    @Produces(MediaType.APPLICATION_JSON)
    public Response generations(Map<String, Object> body) {
        if (!enabled()) {
            return Response.status(404).build();
        }
        String requestId = "req_emu_" + UUID.randomUUID().toString().replace("-", "");
        Response fault = misbehave(requestId);
        if (fault != null) {
            return fault;
        }
        Generation generation;
        try {
            generation = ImageRules.validate(GenerateRequest.fromJson(body), false);
            if (generation.model().isDallE() && !"b64_json".equals(generation.request().responseFormat())) {
                throw ImagesApiException.invalid("response_format", "invalid_value",
                        "The offline emulator returns images as b64_json only.");
            }
            if ("webp".equals(generation.request().outputFormat())) {
                throw ImagesApiException.invalid("output_format", "invalid_value",
                        "The offline emulator cannot encode WebP (the JVM has no WebP encoder); use png or jpeg.");
            }
        } catch (ImagesApiException e) {
            return marked(Response.status(e.status()).entity(e.body()), requestId);
        }
        return marked(Response.ok(render(generation)), requestId);
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

    private static Map<String, Object> render(Generation generation) {
        GenerateRequest r = generation.request();
        ImageModel model = generation.model();
        int[] size = EmulatedSize.resolve(r.size());
        boolean gpt = !model.isDallE();
        boolean transparent = gpt && "transparent".equals(r.background());
        String format = r.outputFormat() == null ? "png" : r.outputFormat();
        int compression = r.outputCompression() == null ? 100 : r.outputCompression();
        int n = r.n() == null ? 1 : r.n();
        long seed = (r.prompt() + "|" + model.name() + "|" + size[0] + "x" + size[1]).hashCode();
        List<Map<String, Object>> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] bytes = ImageRenderer.encode(ImageRenderer.render(size[0], size[1], transparent, seed * 31 + i),
                    format, compression);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("b64_json", Base64.getEncoder().encodeToString(bytes));
            if (model.family() == ImageModel.Family.DALL_E_3) {
                item.put("revised_prompt", "A placeholder picture standing in for: " + r.prompt());
            }
            data.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("created", System.currentTimeMillis() / 1000);
        body.put("data", data);
        if (gpt) {
            String quality = r.quality() == null || r.quality().equals("auto") ? "medium" : r.quality();
            body.put("background", transparent ? "transparent" : "opaque");
            body.put("output_format", format);
            body.put("quality", quality);
            body.put("size", size[0] + "x" + size[1]);
            body.put("usage", EmulatedUsage.of(r.prompt(), n, size, quality));
        }
        return body;
    }
}
