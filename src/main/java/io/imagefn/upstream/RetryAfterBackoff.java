package io.imagefn.upstream;

import java.util.concurrent.ThreadLocalRandom;

import io.imagefn.config.ImagefnConfig;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Waits what the upstream asked for ({@code retry-after-ms} / {@code Retry-After}, already capped by
 * {@link RetryableFailure}), otherwise an exponential backoff with jitter so that many instances do not retry in
 * lockstep. A new instance serves each invocation.
 */
public final class RetryAfterBackoff implements CustomBackoffStrategy {

    private long nextBase;
    private long max;

    @Override
    public void init(long ignoredAnnotationDelay) {
        ImagefnConfig.Retry retry = UpstreamSettings.get().retry();
        nextBase = Math.max(1, retry.initialDelay().toMillis());
        max = Math.max(nextBase, retry.maxDelay().toMillis());
    }

    @Override
    public long nextDelayInMillis(Throwable cause) {
        if (cause instanceof UpstreamException e && e.retryAfter().isPresent()) {
            return e.retryAfter().get().toMillis();
        }
        long base = Math.min(max, nextBase);
        nextBase = Math.min(max, nextBase * 2);
        // "equal jitter": half fixed, half random
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
}
