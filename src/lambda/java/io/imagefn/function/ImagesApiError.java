package io.imagefn.function;

import io.imagefn.images.ImagesApiException;

/**
 * What a refused Lambda invocation fails with. Its class is the invocation's {@code errorType}, one per way a caller
 * should react, so that a Step Functions {@code Retry} or {@code Catch} can match on it; its message is the OpenAI
 * error body with the HTTP status, {@code {"status":400,"error":{"message","type","param","code"}}}.
 * <ul>
 * <li>{@link InvalidRequestError}: the request is wrong (4xx); never retry it unchanged;</li>
 * <li>{@link RateLimitedError}: 429, or the same idempotency key still in progress; retry later;</li>
 * <li>{@link QuotaExceededError}: 429 {@code insufficient_quota}, the caller's budget is spent until its period
 * resets; do not retry before then;</li>
 * <li>{@link ServiceError}: the upstream or the storage failed (5xx); retry, with the same idempotency key.</li>
 * </ul>
 */
public abstract class ImagesApiError extends RuntimeException {

    ImagesApiError(String message) {
        super(message, null, false, false);
    }

    /** The error a failure of {@code status} leaves the function as, carrying {@code body}. */
    static ImagesApiError of(ImagesApiException e, String body) {
        if (e.status() == 429 && "insufficient_quota".equals(e.code())) {
            return new QuotaExceededError(body);
        }
        if (e.status() == 429 || (e.status() == 409 && "idempotency_key_in_progress".equals(e.code()))) {
            return new RateLimitedError(body);
        }
        if (e.status() >= 500) {
            return new ServiceError(body);
        }
        return new InvalidRequestError(body);
    }
}
