package io.imagefn.jobs;

import java.time.Duration;

import io.imagefn.images.ImagesApiException;

/** The errors the job classes share, in the OpenAI shape. */
final class JobErrors {

    private JobErrors() {
    }

    static ImagesApiException notFound(String id) {
        return new ImagesApiException(404, ImagesApiException.INVALID_REQUEST, null, "job_not_found",
                "No job found with id '" + ImagesApiException.excerpt(id) + "'.", null);
    }

    static ImagesApiException unavailable() {
        return new ImagesApiException(503, "api_error", null, "job_store_unavailable", "The object store that keeps "
                + "jobs cannot be reached. Retry shortly.", Duration.ofSeconds(5));
    }

    static ImagesApiException keyReused() {
        return new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, "idempotency_key",
                "idempotency_key_reused", "This idempotency key was already used with a different request. Use a new "
                        + "key for a new request.", null);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a job", e);
        }
    }
}
