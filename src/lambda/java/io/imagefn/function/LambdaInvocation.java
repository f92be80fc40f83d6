package io.imagefn.function;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.Origin;

/**
 * The functions as Lambda invoke functions. An event without {@code idempotency_key} is keyed by the invocation's
 * request id when {@link LambdaStreamHandler} runs it (Lambda retries a failed asynchronous invocation with the same
 * request id, so the retry is answered from the first attempt's images). A refusal fails the invocation with an
 * {@link ImagesApiError} whose class says how to react and whose message is the OpenAI error with its HTTP status.
 */
@ApplicationScoped
public class LambdaInvocation implements Invocation {

    private final ObjectMapper json;

    public LambdaInvocation(ObjectMapper json) {
        this.json = json;
    }

    /** The event's own key wins; without one, the invocation's request id (the same for Lambda's retries). */
    @Override
    public Origin origin(String bodyKey) {
        return LambdaRequestIds.requestId().filter(id -> bodyKey == null)
                .map(id -> new Origin(Binding.LAMBDA, "aws-lambda-request", id))
                .orElseGet(() -> Origin.of(Binding.LAMBDA));
    }

    @Override
    public ImagesResponse run(Supplier<ImagesResponse> call) {
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
