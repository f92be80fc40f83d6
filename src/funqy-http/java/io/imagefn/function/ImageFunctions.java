package io.imagefn.function;

import java.util.Map;

import jakarta.enterprise.inject.Instance;

import io.imagefn.http.HttpOrigin;
import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;
import io.quarkus.funqy.Funq;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/**
 * The three Images API operations as HTTP functions ({@code POST /generate}, {@code /edit}, {@code /variation}): the
 * OpenAI request shape in, an {@code ImagesResponse} with signed URLs out. An empty body (which Funqy passes as null)
 * is an empty request, so it gets the same "missing prompt" answer as {@code {}}. The names are the stable export
 * names; each binding has its own thin class like this one over the same {@link ImagePipeline}.
 */
public class ImageFunctions {

    private final ImagePipeline pipeline;
    private final Instance<CurrentVertxRequest> http;

    public ImageFunctions(ImagePipeline pipeline, Instance<CurrentVertxRequest> http) {
        this.pipeline = pipeline;
        this.http = http;
    }

    /** The HTTP request's {@code Idempotency-Key} and caller, when the function was called over HTTP. */
    private Origin origin() {
        return HttpOrigin.of(Binding.HTTP, http.isResolvable() ? http.get().getCurrent() : null);
    }

    @Funq("generate")
    public ImagesResponse generate(GenerateRequest request) {
        return pipeline.generate(request == null ? GenerateRequest.fromJson(Map.of()) : request, origin());
    }

    /** Edits one or more images (by {@code image_url} or the {@code file_id} of a stored result) with a prompt. */
    @Funq("edit")
    public ImagesResponse edit(EditRequest request) {
        return pipeline.edit(request == null ? EditRequest.fromJson(Map.of()) : request, origin());
    }

    /** Variations of one square PNG (dall-e-2). */
    @Funq("variation")
    public ImagesResponse variation(VariationRequest request) {
        return pipeline.variation(request == null ? VariationRequest.fromJson(Map.of()) : request, origin());
    }
}
