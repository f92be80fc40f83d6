package io.imagefn.images;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A failure the caller sees, in the OpenAI error shape {@code {"error":{"message","type","param","code"}}}
 * with its HTTP status. Every binding renders this one type.
 */
public class ImagesApiException extends RuntimeException {

    public static final String INVALID_REQUEST = "invalid_request_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;
    private final Map<String, String> headers;

    public ImagesApiException(int status, String type, String param, String code, String message, Duration retryAfter) {
        this(status, type, param, code, message, retryAfter, Map.of());
    }

    private ImagesApiException(int status, String type, String param, String code, String message,
            Duration retryAfter, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
        this.headers = headers;
    }

    /** A caller's value as an error message quotes it: whole when short, else its start and its length. */
    public static String excerpt(String value) {
        return value.length() <= 40 ? value : value.substring(0, 32) + "... (" + value.length() + " characters)";
    }

    /** 400 invalid_request_error naming the offending field. */
    public static ImagesApiException invalid(String param, String code, String message) {
        return new ImagesApiException(400, INVALID_REQUEST, param, code, message, null);
    }

    /**
     * imagefn itself ran out of memory (while {@code doing} something): its own failure, never the upstream's, so
     * 503 with a short {@code Retry-After} (another instance, or this one a moment later, may have the room).
     */
    public static ImagesApiException outOfMemory(String doing) {
        return new ImagesApiException(503, "api_error", null, "insufficient_memory", "imagefn ran out of memory "
                + doing + "; this is not an upstream failure. Retry shortly, or ask for fewer images at once.",
                Duration.ofSeconds(5));
    }

    /** The same failure, its message extended (to say what was kept before it happened). */
    public ImagesApiException withMessage(String message) {
        return new ImagesApiException(status, type, param, code, message, retryAfter, headers);
    }

    /** The same failure with more answer headers (a key's rate-limit standing, {@code x-should-retry}). */
    public ImagesApiException withHeaders(Map<String, String> more) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.putAll(more);
        return new ImagesApiException(status, type, param, code, getMessage(), retryAfter, Map.copyOf(all));
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The {@code Retry-After} header value: whole seconds, rounded up, at least 1. */
    public Optional<String> retryAfterHeader() {
        return retryAfter().map(d -> Long.toString(Math.max(1, (d.toMillis() + 999) / 1000)));
    }

    /**
     * Every header the answer carries besides its body: {@code Retry-After} with {@code retry-after-ms} (which the
     * official SDKs read first) when there is a wait, and any added ones.
     */
    public Map<String, String> answerHeaders() {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        retryAfter().ifPresent(d -> {
            all.put("Retry-After", retryAfterHeader().orElseThrow());
            all.put("retry-after-ms", Long.toString(Math.max(1, d.toMillis())));
        });
        return all;
    }

    /** The wire body, ready for any JSON writer. */
    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Error(getMessage(), type, param, code));
    }
}
