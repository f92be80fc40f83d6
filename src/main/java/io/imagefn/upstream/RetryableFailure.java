package io.imagefn.upstream;

import java.util.function.Predicate;

/** Which failures {@link UpstreamClient} retries; timeouts are not retried, since the upstream may still bill them. */
public final class RetryableFailure implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable failure) {
        return failure instanceof UpstreamException e && e.retryable(UpstreamSettings.get().retry().maxRetryAfter());
    }
}
