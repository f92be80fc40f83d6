package io.imagefn.images;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code ImageGenUsage} (spec §5): token counts of a GPT image request, passed through from the upstream. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(
        @JsonProperty("input_tokens") Integer inputTokens,
        @JsonProperty("input_tokens_details") InputDetails inputTokensDetails,
        @JsonProperty("output_tokens") Integer outputTokens,
        @JsonProperty("output_tokens_details") OutputDetails outputTokensDetails,
        @JsonProperty("total_tokens") Integer totalTokens) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InputDetails(@JsonProperty("text_tokens") Integer textTokens,
            @JsonProperty("image_tokens") Integer imageTokens) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OutputDetails(@JsonProperty("image_tokens") Integer imageTokens,
            @JsonProperty("text_tokens") Integer textTokens) {
    }
}
