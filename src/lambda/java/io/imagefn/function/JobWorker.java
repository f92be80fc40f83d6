package io.imagefn.function;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.jobs.JobEvent;
import io.imagefn.jobs.JobRecord;
import io.imagefn.jobs.JobRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The jobs' worker on AWS Lambda, from the same artifact as the functions: deployed with
 * {@code QUARKUS_FUNQY_EXPORT=run-job}, invoked asynchronously by the function-URL front with a {@link JobEvent}; and
 * with {@code job-failed} as the worker's OnFailure destination, which marks a job failed when Lambda gave up on its
 * event (retries exhausted, or the event too old). A redelivered event finds its job finished or held, and does
 * nothing.
 */
public class JobWorker {

    private final JobRunner runner;

    public JobWorker(JobRunner runner) {
        this.runner = runner;
    }

    /** The job's outcome, for Lambda's OnSuccess destination and the logs. */
    @RegisterForReflection
    public record Outcome(String id, String status) {
    }

    @Funq("run-job")
    public Outcome runJob(JobEvent event) {
        JobRecord job = runner.runHere(event.owner(), event.jobId(), event.token() == null ? "" : event.token())
                .orElseThrow(() -> new IllegalArgumentException("no job " + event.jobId()));
        // webhooks of a finished job go out while this invocation lives: Lambda freezes the process after it
        runner.drainWebhooks();
        return new Outcome(job.id(), job.status());
    }

    /** Lambda's record of an asynchronous invocation it gave up on (an OnFailure destination's event). */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FailedInvocation(@JsonProperty("requestContext") Map<String, Object> requestContext,
            @JsonProperty("requestPayload") JobEvent requestPayload) {
    }

    @Funq("job-failed")
    public Outcome jobFailed(FailedInvocation failed) {
        JobEvent event = failed.requestPayload();
        Object condition = failed.requestContext() == null ? null : failed.requestContext().get("condition");
        Object count = failed.requestContext() == null ? null : failed.requestContext().get("approximateInvokeCount");
        JobRecord job = runner.failFromPlatform(event.owner(), event.jobId(), "The job's worker function did not "
                + "complete it (" + (condition == null ? "invocation failed" : condition) + (count == null ? ""
                        : " after " + count + " invocations") + "). Submit it again.")
                .orElseThrow(() -> new IllegalArgumentException("no job " + event.jobId()));
        runner.drainWebhooks();
        return new Outcome(job.id(), job.status());
    }
}
