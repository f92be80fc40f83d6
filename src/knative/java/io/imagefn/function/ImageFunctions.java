package io.imagefn.function;

import java.util.Map;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;
import io.quarkus.funqy.Context;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The three operations as CloudEvent functions (Knative Eventing), each triggered by its own event type and answering
 * with a result event: {@code imagefn.generate} → {@code imagefn.generate.result}, and the same for {@code edit} and
 * {@code variation}, source {@code imagefn}, in the content mode (binary or structured) of the request. The event's
 * {@code id} and {@code source} are the request's idempotency key: a redelivered event gets the first delivery's images
 * without another upstream call.
 */
public class ImageFunctions {

    public static final String SOURCE = "imagefn";

    private final ImagePipeline pipeline;

    public ImageFunctions(ImagePipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** Redeliveries of one event share its source and id. */
    private static Origin origin(CloudEvent<?> event) {
        if (event == null) {
            return Origin.of(Binding.KNATIVE);
        }
        return new Origin(Binding.KNATIVE, "ce:" + event.source(), event.id());
    }

    @Funq("generate")
    @CloudEventMapping(trigger = "imagefn.generate", responseType = "imagefn.generate.result", responseSource = SOURCE)
    public ImagesResponse generate(GenerateRequest request, @Context CloudEvent<?> event) {
        return pipeline.generate(request == null ? GenerateRequest.fromJson(Map.of()) : request, origin(event));
    }

    @Funq("edit")
    @CloudEventMapping(trigger = "imagefn.edit", responseType = "imagefn.edit.result", responseSource = SOURCE)
    public ImagesResponse edit(EditRequest request, @Context CloudEvent<?> event) {
        return pipeline.edit(request == null ? EditRequest.fromJson(Map.of()) : request, origin(event));
    }

    @Funq("variation")
    @CloudEventMapping(trigger = "imagefn.variation", responseType = "imagefn.variation.result",
            responseSource = SOURCE)
    public ImagesResponse variation(VariationRequest request, @Context CloudEvent<?> event) {
        return pipeline.variation(request == null ? VariationRequest.fromJson(Map.of()) : request, origin(event));
    }
}
