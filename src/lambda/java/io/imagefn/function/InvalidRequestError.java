package io.imagefn.function;

/** A caller's mistake (4xx other than 429): retrying the same request fails the same way. */
public final class InvalidRequestError extends ImagesApiError {

    InvalidRequestError(String message) {
        super(message);
    }
}
