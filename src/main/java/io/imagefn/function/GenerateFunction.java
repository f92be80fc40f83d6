package io.imagefn.function;

import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesResponse;
import io.imagefn.pipeline.ImagePipeline;
import io.quarkus.funqy.Funq;

/**
 * {@code generate}: OpenAI's create-image request in, an {@code ImagesResponse} with signed URLs out. The same code
 * serves every binding ({@code POST /generate} over HTTP, a CloudEvent, a Lambda invoke).
 */
public class GenerateFunction {

    private final ImagePipeline pipeline;

    public GenerateFunction(ImagePipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Funq("generate")
    public ImagesResponse generate(GenerateRequest request) {
        return pipeline.generate(request);
    }
}
