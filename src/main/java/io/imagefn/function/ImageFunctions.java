package io.imagefn.function;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.ImagePipeline;
import io.quarkus.funqy.Funq;

/**
 * The three Images API operations as functions: one input type each, the OpenAI request shape in, an
 * {@code ImagesResponse} with signed URLs out. The same code serves every binding (HTTP {@code POST /generate},
 * {@code /edit}, {@code /variation}; CloudEvents; Lambda invokes), and the names are the stable export names.
 */
public class ImageFunctions {

    private final ImagePipeline pipeline;

    public ImageFunctions(ImagePipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Funq("generate")
    public ImagesResponse generate(GenerateRequest request) {
        return pipeline.generate(request, Binding.HTTP);
    }

    /** Edits one or more images (by {@code image_url} or the {@code file_id} of a stored result) with a prompt. */
    @Funq("edit")
    public ImagesResponse edit(EditRequest request) {
        return pipeline.edit(request, Binding.HTTP);
    }

    /** Variations of one square PNG (dall-e-2). */
    @Funq("variation")
    public ImagesResponse variation(VariationRequest request) {
        return pipeline.variation(request, Binding.HTTP);
    }
}
