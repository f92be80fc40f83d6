package io.imagefn.function;

import java.util.Map;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.pipeline.ImagePipeline;
import io.quarkus.funqy.Funq;

/**
 * The three Images API operations as Funqy functions, one class for every binding: {@code POST /generate},
 * {@code /edit}, {@code /variation} over HTTP, the {@code imagefn.<function>} CloudEvents (Knative), and the Lambda
 * invoke functions ({@code QUARKUS_FUNQY_EXPORT}). The OpenAI request in, an {@code ImagesResponse} with signed URLs
 * out; an empty body (which Funqy passes as null) is an empty request, answered like {@code {}}. What differs per
 * binding, where the caller and the idempotency key come from and how a refusal leaves the function, is the build's
 * {@link Invocation} bean.
 */
public class ImageFunctions {

    private final ImagePipeline pipeline;
    private final Invocation invocation;

    public ImageFunctions(ImagePipeline pipeline, Invocation invocation) {
        this.pipeline = pipeline;
        this.invocation = invocation;
    }

    @Funq("generate")
    public ImagesResponse generate(GenerateRequest request) {
        GenerateRequest r = request == null ? GenerateRequest.fromJson(Map.of()) : request;
        return invocation.run(() -> pipeline.generate(r, invocation.origin(r.idempotencyKey())));
    }

    /** Edits one or more images (by {@code image_url} or the {@code file_id} of a stored result) with a prompt. */
    @Funq("edit")
    public ImagesResponse edit(EditRequest request) {
        EditRequest r = request == null ? EditRequest.fromJson(Map.of()) : request;
        return invocation.run(() -> pipeline.edit(r, invocation.origin(r.idempotencyKey())));
    }

    /** Variations of one square PNG (dall-e-2). */
    @Funq("variation")
    public ImagesResponse variation(VariationRequest request) {
        VariationRequest r = request == null ? VariationRequest.fromJson(Map.of()) : request;
        return invocation.run(() -> pipeline.variation(r, invocation.origin(r.idempotencyKey())));
    }
}
