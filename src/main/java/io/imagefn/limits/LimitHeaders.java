package io.imagefn.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A key's rate-limit standing as OpenAI's headers, which the official SDKs read: {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests} (how long until the window is whole
 * again, as {@code 1s}, {@code 6m0s}, {@code 120ms}), and the same for {@code -images}. Noted on the request's
 * Vert.x context by whatever admitted or refused it, and written on its answer by the HTTP layer, whichever answer it
 * is.
 */
public final class LimitHeaders {

    /** The context-local key the HTTP layer reads. */
    public static final String NOTE = "imagefn.limit-headers";

    private LimitHeaders() {
    }

    /** The headers for {@code usage}; none for a key without rate limits. */
    public static Map<String, String> of(KeyUsage usage, Instant now) {
        Map<String, String> h = new LinkedHashMap<>();
        String reset = usage.windowFrees().map(t -> duration(Duration.between(now, t))).orElse("0s");
        usage.limits().requestsPerMinute().ifPresent(limit -> {
            h.put("x-ratelimit-limit-requests", Integer.toString(limit));
            h.put("x-ratelimit-remaining-requests", Integer.toString(usage.remainingRequests().orElse(0)));
            h.put("x-ratelimit-reset-requests", reset);
        });
        usage.limits().imagesPerMinute().ifPresent(limit -> {
            h.put("x-ratelimit-limit-images", Integer.toString(limit));
            h.put("x-ratelimit-remaining-images", Integer.toString(usage.remainingImages().orElse(0)));
            h.put("x-ratelimit-reset-images", reset);
        });
        return h;
    }

    /** Notes {@code headers} for the answer of the request running on this thread's Vert.x context, if any. */
    public static void note(Map<String, String> headers) {
        Context context = Vertx.currentContext();
        if (context != null && !headers.isEmpty()) {
            context.putLocal(NOTE, Map.copyOf(headers));
        }
    }

    /** OpenAI's form: {@code 6m0s}, {@code 1s}, {@code 1.5s}, {@code 120ms}; never negative. */
    static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + "ms";
        }
        long minutes = ms / 60_000;
        double seconds = (ms % 60_000) / 1000.0;
        String s = seconds == Math.floor(seconds) ? Long.toString((long) seconds) : String.format(java.util.Locale.ROOT,
                "%.3f", seconds).replaceAll("0+$", "");
        return minutes > 0 ? minutes + "m" + s + "s" : s + "s";
    }
}
