package io.imagefn.jobs;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.storage.StorageException;
import io.quarkus.logging.Log;

/**
 * A caller's jobs, read: one by its id, or a page of them, newest first; only the caller that made a job finds it. A
 * job whose worker died is dispatched again by the read that finds its lease lapsed: the reader that wins a
 * conditional write of a fresh holder token dispatches it, so many polls start one run.
 */
@ApplicationScoped
public class JobLookup {

    private final JobStore store;
    private final JobRunner runner;
    private final JobViews views;
    private final JobDispatch dispatch;

    public JobLookup(JobStore store, JobRunner runner, JobViews views, JobDispatch dispatch) {
        this.store = store;
        this.runner = runner;
        this.views = views;
        this.dispatch = dispatch;
    }

    /** A page of the caller's jobs, newest first. */
    public record Page(String object, List<ImageJob> data, @JsonProperty("first_id") String firstId,
            @JsonProperty("last_id") String lastId, @JsonProperty("has_more") boolean hasMore) {
    }

    /** The caller's job, or empty. */
    public Optional<ImageJob> get(String owner, String id) {
        try {
            Optional<JobStore.Versioned> found = store.read(owner, id);
            if (found.isPresent() && lapsed(found.get().job()) && !runner.holds(owner, id)) {
                Optional<ImageJob> retaken = takeOver(owner, id);
                if (retaken.isPresent()) {
                    return retaken;
                }
            }
            return found.map(v -> views.view(v.job()));
        } catch (StorageException e) {
            throw JobErrors.unavailable();
        }
    }

    /** The caller's job, or 404 {@code job_not_found}. */
    public ImageJob find(String owner, String id) {
        return get(owner, id).orElseThrow(() -> JobErrors.notFound(id));
    }

    /**
     * Dispatches a job whose lease lapsed, if this reader wins its fresh holder token and has room for it; a full
     * queue here leaves it for a later read.
     */
    private Optional<ImageJob> takeOver(String owner, String id) {
        JobDispatch.Place place;
        try {
            place = dispatch.reserve();
        } catch (RuntimeException full) {
            return Optional.empty();
        }
        try (place) {
            String token = dispatch.token();
            Optional<JobRecord> retaken = store.update(owner, id, r -> lapsed(r) ? r.held(token, runner.leaseUntil())
                    : null);
            if (retaken.isPresent()) {
                Log.warnf("Job %s: its worker's lease ran out; dispatching it again", id);
                dispatch.dispatch(owner, id, token, place);
            }
            return retaken.map(views::view);
        }
    }

    public Page list(String owner, String after, int limit) {
        try {
            List<String> ids = store.list(owner, after, limit + 1);
            boolean more = ids.size() > limit;
            List<ImageJob> jobs = ids.stream().limit(limit).map(id -> store.read(owner, id)).flatMap(Optional::stream)
                    .map(v -> views.view(v.job())).toList();
            return new Page("list", jobs, jobs.isEmpty() ? null : jobs.get(0).id(),
                    jobs.isEmpty() ? null : jobs.get(jobs.size() - 1).id(), more);
        } catch (StorageException e) {
            throw JobErrors.unavailable();
        }
    }

    private static boolean lapsed(JobRecord job) {
        return !job.finished() && job.leaseUntil() < System.currentTimeMillis();
    }
}
