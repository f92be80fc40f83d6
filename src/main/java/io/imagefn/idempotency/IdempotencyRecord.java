package io.imagefn.idempotency;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.images.EstimatedCost;
import io.imagefn.images.Usage;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the bucket holds for one idempotency key: a claim while the first request runs, then where its images are.
 *
 * @param state       {@code pending} while the holder works, {@code done} once its images are stored
 * @param fingerprint digest of the request, to refuse the same key with a different request
 * @param holder      a token of the claim's writer, so that a writer whose answer was lost still knows the claim is
 *                    its own
 * @param leaseUntil  epoch millis after which a pending claim is abandoned and may be taken over
 * @param createdAt   epoch millis; the record is ignored after {@code imagefn.idempotency.ttl}
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record IdempotencyRecord(
        String state,
        String fingerprint,
        String holder,
        @JsonProperty("lease_until") long leaseUntil,
        @JsonProperty("created_at") long createdAt,
        Result result) {

    static final String PENDING = "pending";
    static final String DONE = "done";

    /** The stored response, enough to answer a duplicate with fresh signed URLs. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Result(
            long created,
            List<Image> images,
            String background,
            @JsonProperty("output_format") String outputFormat,
            String quality,
            String size,
            Usage usage,
            @JsonProperty("estimated_cost") EstimatedCost estimatedCost) {
    }

    /** One stored image: its id, object key and revised prompt. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Image(String id, String key, @JsonProperty("revised_prompt") String revisedPrompt) {
    }
}
