package io.imagefn.function;

import java.util.Optional;

import io.imagefn.jobs.ImageJob;
import io.imagefn.jobs.JobEvent;
import io.imagefn.jobs.JobRecord;
import io.imagefn.jobs.JobRunner;
import io.imagefn.jobs.JobViews;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;

/**
 * The jobs' worker on Knative: a Trigger on {@code imagefn.job.requested} delivers the job here; it runs, and the reply
 * event, {@code imagefn.job.<status>} with the job (signed URLs, never base64) as data, goes back into the broker. A
 * redelivered event finds its job finished (the reply is sent again: receivers dedupe on the job id) or held by a
 * live run (no reply).
 */
public class KnativeJobWorker {

    private final JobRunner runner;
    private final JobViews views;

    public KnativeJobWorker(JobRunner runner, JobViews views) {
        this.runner = runner;
        this.views = views;
    }

    @Funq("run-job")
    public CloudEvent<ImageJob> runJob(JobEvent event) {
        Optional<JobRecord> job = runner.runHere(event.owner(), event.jobId(), event.token() == null ? ""
                : event.token());
        if (job.isEmpty() || !job.get().finished()) {
            return null;
        }
        ImageJob view = views.view(job.get());
        return CloudEventBuilder.create().id(view.id() + "." + view.status()).source("imagefn").subject(view.id())
                .type("imagefn.job." + view.status()).build(view);
    }
}
