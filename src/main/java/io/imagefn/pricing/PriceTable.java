package io.imagefn.pricing;

import java.math.BigDecimal;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * List prices, as shipped in {@code imagefn/prices.json} or read from {@code imagefn.pricing.file}.
 *
 * @param taken          the date the prices were read (returned with every estimate)
 * @param tokenModels    GPT image models: USD per million tokens
 * @param perImageModels DALL·E models: USD per image, by quality, then size
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record PriceTable(
        String taken,
        String source,
        @JsonProperty("token_models") Map<String, TokenPrices> tokenModels,
        @JsonProperty("per_image_models") Map<String, Map<String, Map<String, BigDecimal>>> perImageModels,
        @JsonProperty("token_bounds") TokenBounds tokenBounds) {

    /** What a token-priced request can use at most, for reserving its cost before it is sent. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TokenBounds(
            @JsonProperty("image_output_tokens_1024x1024") Map<String, Integer> imageOutputPerSquare,
            @JsonProperty("image_input_tokens_per_image") Integer imageInputPerImage,
            @JsonProperty("text_output_tokens_per_image") Integer textOutputPerImage) {
    }

    /** USD per million tokens of each kind. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TokenPrices(
            @JsonProperty("text_input") BigDecimal textInput,
            @JsonProperty("image_input") BigDecimal imageInput,
            @JsonProperty("image_output") BigDecimal imageOutput,
            @JsonProperty("text_output") BigDecimal textOutput) {
    }
}
