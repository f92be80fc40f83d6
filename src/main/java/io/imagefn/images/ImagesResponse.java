package io.imagefn.images;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * OpenAI's {@code ImagesResponse} (spec §5). {@code data[].url} is always a signed URL into our own bucket; the
 * resolved {@code background}, {@code output_format}, {@code quality}, {@code size} and {@code usage} are passed
 * through from the upstream when it sends them. {@code estimated_cost} is imagefn's extension: the request's cost at
 * list prices.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImagesResponse(
        long created,
        List<ImageData> data,
        String background,
        @JsonProperty("output_format") String outputFormat,
        String quality,
        String size,
        Usage usage,
        @JsonProperty("estimated_cost") EstimatedCost estimatedCost) {

    /**
     * One image. {@code id} and {@code expires_at} are imagefn's extensions: the id names the stored image for later
     * operations, and the URL stops working at {@code expires_at} (unix seconds).
     *
     * @param stored false when the image could not be written to storage; it is then returned inline in
     *               {@code b64_json} rather than lost, and has no URL
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImageData(
            String url,
            @JsonProperty("b64_json") String b64Json,
            @JsonProperty("revised_prompt") String revisedPrompt,
            String id,
            @JsonProperty("expires_at") Long expiresAt,
            Boolean stored) {
    }
}
