package io.imagefn.images;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

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
     * One image, carrying {@code url} or {@code b64_json}, never both (OpenAI's shape: clients such as Spring AI read
     * {@code url} first and never look at the bytes when it is there). {@code id}, {@code expires_at} and
     * {@code stored_url} are imagefn's extensions: the id names the stored image for later operations; the signed URL
     * stops working at {@code expires_at} (unix seconds); an image answered inline has its stored copy's signed URL in
     * {@code stored_url}.
     *
     * @param stored false when the image could not be written to storage; it is then returned inline in
     *               {@code b64_json} rather than lost, and has no URL
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "url", "b64_json", "revised_prompt", "id", "expires_at", "stored_url", "stored" })
    public record ImageData(
            String url,
            @JsonProperty("b64_json") String b64Json,
            @JsonProperty("revised_prompt") String revisedPrompt,
            String id,
            @JsonProperty("expires_at") Long expiresAt,
            Boolean stored,
            @JsonProperty("stored_url") String storedUrl) {

        /** A stored image: its signed URL as {@code url}, or, when {@code b64} is given, as {@code stored_url}. */
        public static ImageData stored(String signedUrl, String b64, String revisedPrompt, String id, long expiresAt) {
            return b64 == null ? new ImageData(signedUrl, null, revisedPrompt, id, expiresAt, null, null)
                    : new ImageData(null, b64, revisedPrompt, id, expiresAt, null, signedUrl);
        }

        /** An image storage refused: handed back inline rather than lost. */
        public static ImageData unstored(String b64, String revisedPrompt) {
            return new ImageData(null, b64, revisedPrompt, null, null, Boolean.FALSE, null);
        }

        /** The signed URL of the stored copy, wherever the item carries it. */
        public String signedUrl() {
            return url != null ? url : storedUrl;
        }
    }
}
