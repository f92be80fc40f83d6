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
 * fails the invocation with an {@link ImagesApiError} whose class says how to react (see there) and whose message is
 * the OpenAI error body with its HTTP status. An event without {@code idempotency_key} is keyed by the invocation's
 * request id when {@link LambdaStreamHandler} runs it, so Lambda's own retries of an asynchronous invocation are
 * answered from the first attempt's images.
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
        GenerateRequest r = request == null ? GenerateRequest.fromJson(Map.of()) : request;
        return answer(() -> pipeline.generate(r, origin(r.idempotencyKey())));
    }

    @Funq("edit")
    public ImagesResponse edit(EditRequest request) {
        EditRequest r = request == null ? EditRequest.fromJson(Map.of()) : request;
        return answer(() -> pipeline.edit(r, origin(r.idempotencyKey())));
    }

    @Funq("variation")
    public ImagesResponse variation(VariationRequest request) {
        VariationRequest r = request == null ? VariationRequest.fromJson(Map.of()) : request;
        return answer(() -> pipeline.variation(r, origin(r.idempotencyKey())));
    }

    /** The event's own key wins; without one, the invocation's request id (the same for Lambda's retries). */
    private static Origin origin(String eventKey) {
        return LambdaInvocation.requestId().filter(id -> eventKey == null)
                .map(id -> new Origin(Binding.LAMBDA, "aws-lambda-request", id))
                .orElseGet(() -> Origin.of(Binding.LAMBDA));
    }

    private ImagesResponse answer(Supplier<ImagesResponse> call) {
        try {
            return call.get();
        } catch (ImagesApiException e) {
            throw ImagesApiError.of(e, errorJson(e));
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
