package io.imagefn.function;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;
import io.quarkus.funqy.Funq;

/**
 * The three operations as AWS Lambda functions, one artifact for all: {@code QUARKUS_FUNQY_EXPORT} names the one a
 * deployment serves. The event is the OpenAI request; the result is the {@code ImagesResponse}. A refused request
 * fails the invocation (Funqy reports {@code errorType: io.quarkus.funqy.runtime.ApplicationException}) with the
 * {@code errorMessage} {@code io.imagefn.function.ImagesApiError: {"status":400,"error":{"message","type","param",
 * "code"}}}: the OpenAI error body and its HTTP status, so a caller can tell a bad request (do not retry) from a 429
 * or 5xx (retry, with the same {@code idempotency_key}).
 */
public class ImageFunctions {

    private final ImagePipeline pipeline;
    private final ObjectMapper json;

    public ImageFunctions(ImagePipeline pipeline, ObjectMapper json) {
        this.pipeline = pipeline;
        this.json = json;
    }

    @Funq("generate")
    public ImagesResponse generate(GenerateRequest request) {
        return answer(() -> pipeline.generate(request == null ? GenerateRequest.fromJson(Map.of()) : request, origin()));
    }

    @Funq("edit")
    public ImagesResponse edit(EditRequest request) {
        return answer(() -> pipeline.edit(request == null ? EditRequest.fromJson(Map.of()) : request, origin()));
    }

    @Funq("variation")
    public ImagesResponse variation(VariationRequest request) {
        return answer(() -> pipeline.variation(request == null ? VariationRequest.fromJson(Map.of()) : request,
                origin()));
    }

    private static Origin origin() {
        return Origin.of(Binding.LAMBDA);
    }

    private ImagesResponse answer(Supplier<ImagesResponse> call) {
        try {
            return call.get();
        } catch (ImagesApiException e) {
            throw new ImagesApiError(errorJson(e));
        }
    }

    private String errorJson(ImagesApiException e) {
        try {
            Map<String, Object> body = json.convertValue(e.body(), Map.class);
            Map<String, Object> withStatus = new LinkedHashMap<>();
            withStatus.put("status", e.status());
            withStatus.putAll(body);
            return json.writeValueAsString(withStatus);
        } catch (JsonProcessingException | IllegalArgumentException notJson) {
            return "{\"status\":" + e.status() + "}";
        }
    }
}
