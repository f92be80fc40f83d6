package io.imagefn.jobs;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.idempotency.Replays;
import io.imagefn.images.ImagesResponse;

/** A job record as callers see it: its images signed afresh, and {@code expired} once they are gone. */
@ApplicationScoped
public class JobViews {

    private final Replays replays;
    private final ImagefnConfig config;

    public JobViews(Replays replays, ImagefnConfig config) {
        this.replays = replays;
        this.config = config;
    }

    public ImageJob view(JobRecord r) {
        long end = r.completedAt() != null ? r.completedAt() : r.createdAt();
        long expiresAt = end + config.jobs().retention().toSeconds();
        String status = r.status();
        ImagesResponse result = null;
        if (JobRecord.COMPLETED.equals(status)) {
            Optional<ImagesResponse> signed = System.currentTimeMillis() / 1000 > expiresAt || r.result() == null
                    ? Optional.empty() : replays.replay(r.result(), false);
            if (signed.isPresent()) {
                result = signed.get();
            } else {
                status = JobRecord.EXPIRED;
            }
        }
        String path = "/v1/images/jobs/" + r.id();
        return new ImageJob(r.id(), ImageJob.OBJECT, status, r.operation(), r.model(), r.n(), r.createdAt(),
                r.startedAt(), r.completedAt(), expiresAt, r.estimatedCost(), result, r.error(), r.webhook(),
                r.cancelRequested() ? Boolean.TRUE : null, r.note(), new ImageJob.Urls(path, path + "/cancel"));
    }
}
