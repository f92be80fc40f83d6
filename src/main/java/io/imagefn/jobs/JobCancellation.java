package io.imagefn.jobs;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.images.ImagesApiException;
import io.imagefn.storage.StorageException;

/**
 * Cancels a caller's job, idempotently: a queued job is cancelled (nothing paid, its queue place given back); a
 * running one has its upstream call in flight or about to be, which cannot be unpaid, so it finishes and keeps its
 * images, and the answer says so ({@code cancel_requested}, {@code note}); a cancelled job answers as it is; a
 * completed or failed one is 409 {@code job_already_finished}.
 */
@ApplicationScoped
public class JobCancellation {

    private final JobStore store;
    private final JobRunner runner;
    private final JobViews views;

    public JobCancellation(JobStore store, JobRunner runner, JobViews views) {
        this.store = store;
        this.runner = runner;
        this.views = views;
    }

    public ImageJob cancel(String owner, String id) {
        try {
            Optional<JobRecord> changed = store.update(owner, id, r -> {
                if (r.finished()) {
                    return null;
                }
                if (JobRecord.QUEUED.equals(r.status())) {
                    return r.cancelled(System.currentTimeMillis() / 1000);
                }
                return r.cancelRequested("The job was running when it was cancelled: its upstream call cannot be "
                        + "unpaid, so it finishes and keeps its images.");
            });
            changed.filter(r -> JobRecord.CANCELLED.equals(r.status()))
                    .ifPresent(r -> runner.ended(r, Webhooks.CANCELLED));
            JobRecord job = changed.or(() -> store.read(owner, id).map(JobStore.Versioned::job))
                    .orElseThrow(() -> JobErrors.notFound(id));
            if (job.finished() && !JobRecord.CANCELLED.equals(job.status())) {
                throw new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, null, "job_already_finished",
                        "The job is already " + job.status() + "; there is nothing to cancel.", null);
            }
            return views.view(job);
        } catch (StorageException e) {
            throw JobErrors.unavailable();
        }
    }
}
