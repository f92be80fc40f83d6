package io.imagefn.function;

import java.util.Optional;

/**
 * The request id of the invocation running on this thread. Funqy's Lambda binding does not pass the Lambda context
 * to a function, and it calls the function on the handler's thread, so the handler leaves the id here.
 */
final class LambdaRequestIds {

    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    private LambdaRequestIds() {
    }

    static void begin(String requestId) {
        REQUEST_ID.set(requestId);
    }

    static void end() {
        REQUEST_ID.remove();
    }

    static Optional<String> requestId() {
        return Optional.ofNullable(REQUEST_ID.get());
    }
}
