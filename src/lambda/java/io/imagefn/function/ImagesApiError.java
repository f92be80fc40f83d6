package io.imagefn.function;

/** What a refused Lambda invocation fails with: its message is the OpenAI error body with the HTTP status. */
public class ImagesApiError extends RuntimeException {

    ImagesApiError(String message) {
        super(message, null, false, false);
    }
}
