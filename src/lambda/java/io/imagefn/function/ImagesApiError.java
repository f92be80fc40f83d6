package io.imagefn.function;

/** What a refused Lambda invocation fails with: its message is the OpenAI error body with the HTTP status. */
public class ImagesApiError extends RuntimeException {

    private final int status;

    ImagesApiError(String message, int status) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
