package io.imagefn.function;

/** Rate limited (429), or the same idempotency key is still being served (409): retry after a while. */
public final class RateLimitedError extends ImagesApiError {

    RateLimitedError(String message) {
        super(message);
    }
}
