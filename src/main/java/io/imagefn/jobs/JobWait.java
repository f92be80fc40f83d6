package io.imagefn.jobs;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.idempotency.Replays;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;

/**
 * {@code Prefer: wait=N} on a job's submission: the answer waits for the job up to N seconds, capped by
 * {@code imagefn.jobs.max-wait} (under the caller's gateway timeout), and is then the request's own 200 or error, or
 * the 202 of a job still running. The cap is applied here once, whatever N is, and the answer says which wait it got.
 */
@ApplicationScoped
public class JobWait {

    private final ImagefnConfig config;
    private final JobStore store;
    private final Replays replays;

    public JobWait(ImagefnConfig config, JobStore store, Replays replays) {
        this.config = config;
        this.store = store;
        this.replays = replays;
    }

    /** The wait a request gets: what it asked for, at most {@code imagefn.jobs.max-wait}. */
    public Duration applied(Duration asked) {
        return asked.compareTo(config.jobs().maxWait()) > 0 ? config.jobs().maxWait() : asked;
    }

    /**
     * Waits up to {@code wait} (already {@link #applied}) for the job to finish: its answer as the synchronous request
     * would have given it (200, or its error), or empty when it is still running.
     */
    public Optional<ImagesResponse> await(ImageJob job, Origin origin, String responseFormat, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobRecord> now = store.read(origin.owner(), job.id()).map(JobStore.Versioned::job);
            if (now.isPresent() && JobRecord.COMPLETED.equals(now.get().status())) {
                String name = now.get().model();
                ImageModel model = ImageModel.known(name).orElseGet(() -> ImageModel.unknown(name));
                return replays.replay(now.get().result(), ImagePipeline.inline(origin, model, responseFormat));
            }
            if (now.isPresent() && JobRecord.FAILED.equals(now.get().status())) {
                var e = now.get().error();
                throw new ImagesApiException(now.get().errorStatus() == null ? 500 : now.get().errorStatus(),
                        e.type(), e.param(), e.code(), e.message(), null);
            }
            if (now.isEmpty() || now.get().finished()) {
                return Optional.empty();
            }
            JobErrors.pause(200);
        }
        return Optional.empty();
    }
}
