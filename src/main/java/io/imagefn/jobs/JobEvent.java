package io.imagefn.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a platform hands a worker for one job (a Lambda async invoke's event, an {@code imagefn.job.requested}
 * CloudEvent's data): only the job's address and the holder token it was dispatched with; everything else (the
 * request, its staged inputs) is in the bucket.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobEvent(@JsonProperty("job_id") String jobId, String owner, String token) {
}
