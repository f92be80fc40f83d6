package io.imagefn.function;

/** The upstream or the storage failed (5xx): retry, with the same idempotency key so that paid images are not paid twice. */
public final class ServiceError extends ImagesApiError {

    ServiceError(String message) {
        super(message);
    }
}
