package io.imagefn.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.images.ErrorBody;
import io.imagefn.images.EstimatedCost;
import io.imagefn.images.ImagesResponse;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A job as a caller reads it ({@code GET /v1/images/jobs/{id}}, the 202 of a submission, a webhook's {@code data}):
 * the result carries freshly signed URLs, never base64; the error is OpenAI's error object.
 *
 * @param expiresAt when the job and its images stop being kept (epoch seconds)
 * @param urls      where to poll and cancel it
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageJob(
        String id,
        String object,
        String status,
        String operation,
        String model,
        Integer n,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("started_at") Long startedAt,
        @JsonProperty("completed_at") Long completedAt,
        @JsonProperty("expires_at") long expiresAt,
        @JsonProperty("estimated_cost") EstimatedCost estimatedCost,
        ImagesResponse result,
        ErrorBody.Error error,
        JobRecord.Webhook webhook,
        @JsonProperty("cancel_requested") Boolean cancelRequested,
        String note,
        Urls urls) {

    public static final String OBJECT = "image.job";

    /** The job's own URLs, relative to the server's root. */
    @RegisterForReflection
    public record Urls(String get, String cancel) {
    }

    public boolean finished() {
        return !JobRecord.QUEUED.equals(status) && !JobRecord.IN_PROGRESS.equals(status);
    }
}
