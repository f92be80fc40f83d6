package io.imagefn.jobs;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.idempotency.IdempotencyRecord;
import io.imagefn.images.ErrorBody;
import io.imagefn.images.EstimatedCost;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A job as the bucket keeps it ({@code <key-prefix>records/jobs/<owner>/<id>.json}), replaced only with conditional
 * writes: every change is a read, then a write over exactly the version read.
 *
 * @param owner      the caller's scope (a digest of its API key, or {@code anonymous}): who may see the job
 * @param request    the validated request as a JSON body, its input images staged in the bucket as {@code file_id}s
 * @param result     the stored images (ids and object keys), signed afresh on every read
 * @param errorStatus the HTTP status the error would have had on a synchronous request
 * @param holder     the instance run that holds the job, renewing {@code leaseUntil} while it runs
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobRecord(
        String id,
        String owner,
        String operation,
        String model,
        Integer n,
        String status,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("started_at") Long startedAt,
        @JsonProperty("completed_at") Long completedAt,
        Map<String, Object> request,
        @JsonProperty("estimated_cost") EstimatedCost estimatedCost,
        IdempotencyRecord.Result result,
        ErrorBody.Error error,
        @JsonProperty("error_status") Integer errorStatus,
        Webhook webhook,
        String holder,
        @JsonProperty("lease_until") long leaseUntil,
        @JsonProperty("cancel_requested") boolean cancelRequested,
        String note) {

    public static final String QUEUED = "queued";
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final String EXPIRED = "expired";

    public boolean finished() {
        return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
    }

    /** The webhook asked for, and what happened to each delivery attempt. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Webhook(String url, List<String> events, List<Attempt> attempts,
            @JsonProperty("last_status") Integer lastStatus, @JsonProperty("delivered_at") Long deliveredAt) {

        Webhook attempted(Attempt attempt) {
            List<Attempt> all = new java.util.ArrayList<>(attempts == null ? List.of() : attempts);
            all.add(attempt);
            // the newest attempts tell why nothing arrived; the list stays small in the record
            List<Attempt> kept = all.size() > 20 ? all.subList(all.size() - 20, all.size()) : all;
            return new Webhook(url, events, List.copyOf(kept), attempt.status(),
                    attempt.delivered() ? Long.valueOf(attempt.at()) : deliveredAt);
        }
    }

    /**
     * One delivery attempt.
     *
     * @param status the receiver's HTTP status, or null when there was none (a timeout, a refused address)
     * @param outcome {@code delivered}, {@code retrying}, {@code gave_up}, {@code stopped} (410), {@code refused}
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attempt(String event, long at, Integer status, String outcome, String detail) {

        boolean delivered() {
            return "delivered".equals(outcome);
        }
    }

    JobRecord with(String newStatus) {
        return new JobRecord(id, owner, operation, model, n, newStatus, createdAt, startedAt, completedAt, request,
                estimatedCost, result, error, errorStatus, webhook, holder, leaseUntil, cancelRequested, note);
    }

    JobRecord held(String newHolder, long newLeaseUntil) {
        return new JobRecord(id, owner, operation, model, n, status, createdAt, startedAt, completedAt, request,
                estimatedCost, result, error, errorStatus, webhook, newHolder, newLeaseUntil, cancelRequested, note);
    }

    JobRecord started(long at) {
        return new JobRecord(id, owner, operation, model, n, IN_PROGRESS, createdAt, startedAt == null ? at : startedAt,
                completedAt, request, estimatedCost, result, error, errorStatus, webhook, holder, leaseUntil,
                cancelRequested, note);
    }

    JobRecord completed(long at, IdempotencyRecord.Result stored, EstimatedCost cost) {
        return new JobRecord(id, owner, operation, model, n, COMPLETED, createdAt, startedAt, at, request,
                cost != null ? cost : estimatedCost, stored, null, null, webhook, null, 0, cancelRequested, note);
    }

    JobRecord failed(long at, ErrorBody.Error why, int status) {
        return new JobRecord(id, owner, operation, model, n, FAILED, createdAt, startedAt, at, request, estimatedCost,
                null, why, status, webhook, null, 0, cancelRequested, note);
    }

    JobRecord cancelled(long at) {
        return new JobRecord(id, owner, operation, model, n, CANCELLED, createdAt, startedAt, at, request,
                estimatedCost, null, null, null, webhook, null, 0, true, note);
    }

    JobRecord cancelRequested(String why) {
        return new JobRecord(id, owner, operation, model, n, status, createdAt, startedAt, completedAt, request,
                estimatedCost, result, error, errorStatus, webhook, holder, leaseUntil, true, why);
    }

    JobRecord withWebhook(Webhook hook) {
        return new JobRecord(id, owner, operation, model, n, status, createdAt, startedAt, completedAt, request,
                estimatedCost, result, error, errorStatus, hook, holder, leaseUntil, cancelRequested, note);
    }
}
