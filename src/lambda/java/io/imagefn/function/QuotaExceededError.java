package io.imagefn.function;

/**
 * The caller's budget is spent (429 {@code insufficient_quota}): a retry is refused until the budget's period resets,
 * whose time the message gives; catch it rather than retrying.
 */
public final class QuotaExceededError extends ImagesApiError {

    QuotaExceededError(String message) {
        super(message);
    }
}
