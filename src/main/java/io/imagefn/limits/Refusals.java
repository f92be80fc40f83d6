package io.imagefn.limits;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.imagefn.images.ImagesApiException;

/**
 * What a key may not do now, in OpenAI's shapes, so that the official SDKs surface each as their own error: a rate
 * over its window is 429 {@code rate_limit_exceeded} with {@code Retry-After} until the window frees enough; a budget
 * spent is 429 {@code insufficient_quota} naming its reset, with {@code x-should-retry: false} (the SDKs' own signal not
 * to retry), as is a request no window could ever hold; a model not allowed is 403 {@code model_not_allowed}; a ledger
 * out of reach is 503 {@code limits_unavailable}.
 */
final class Refusals {

    private Refusals() {
    }

    /** Refuses {@code charge} when it does not fit the key's windows or budget, as {@code book} stands now. */
    static void check(KeyLimits key, BucketLedger.Book book, Ledger.Charge charge, Instant now, Duration window) {
        Map<String, String> headers = LimitHeaders.of(BucketLedger.usage(key, book, window), now);
        if (key.requestsPerMinute().isPresent() && book.requests() + 1 > key.requestsPerMinute().getAsInt()) {
            throw rate(key, "requests per minute", key.requestsPerMinute().getAsInt(), book.requests(),
                    until(book.recent(), 1, key.requestsPerMinute().getAsInt(), BucketLedger.Admitted::requests, now,
                            window), headers);
        }
        if (key.imagesPerMinute().isPresent()) {
            int limit = key.imagesPerMinute().getAsInt();
            if (charge.images() > limit) {
                throw new ImagesApiException(429, "requests", "n", "rate_limit_exceeded", "This request asks for "
                        + charge.images() + " images; key '" + key.name() + "' may have at most " + limit + " images "
                        + "per minute. Ask for fewer.", null).withHeaders(noRetry(headers));
            }
            if (book.images() + charge.images() > limit) {
                throw rate(key, "images per minute", limit, book.images(), until(book.recent(), charge.images(),
                        limit, BucketLedger.Admitted::images, now, window), headers);
            }
        }
        if (key.budget().isPresent()) {
            KeyLimits.Budget budget = key.budget().get();
            BigDecimal committed = book.spent().add(book.reserved());
            if (committed.add(charge.usd()).compareTo(budget.usd()) > 0) {
                String resets = budget.period().endsAfter(now).map(t -> "It starts again at " + t + ".")
                        .orElse("It is a fixed grant and does not start again.");
                throw new ImagesApiException(429, "insufficient_quota", null, "insufficient_quota", "Key '"
                        + key.name() + "' has used its budget of $" + budget.usd().toPlainString() + " for "
                        + book.period() + ": $" + usd(book.spent()) + " spent and $" + usd(book.reserved())
                        + " reserved by requests in flight, and this request may cost up to $" + usd(charge.usd())
                        + ". " + resets, null).withHeaders(noRetry(headers));
            }
        }
    }

    /**
     * When enough of the window's admissions will have left it for {@code wanted} more to fit under {@code limit}:
     * the oldest leave first, each a minute after it came.
     */
    private static Duration until(List<BucketLedger.Admitted> recent, int wanted, int limit,
            java.util.function.ToIntFunction<BucketLedger.Admitted> weight, Instant now, Duration window) {
        int used = recent.stream().mapToInt(weight).sum();
        int mustLeave = used + wanted - limit;
        int left = 0;
        for (BucketLedger.Admitted a : recent.stream().sorted(Comparator.comparingLong(BucketLedger.Admitted::at))
                .toList()) {
            left += weight.applyAsInt(a);
            if (left >= mustLeave) {
                Duration wait = Duration.between(now, Instant.ofEpochMilli(a.at()).plus(window));
                return wait.isNegative() ? Duration.ofMillis(1) : wait;
            }
        }
        return window;
    }

    private static ImagesApiException rate(KeyLimits key, String what, int limit, int used, Duration wait,
            Map<String, String> headers) {
        return new ImagesApiException(429, "requests", null, "rate_limit_exceeded", "Rate limit reached for key '"
                + key.name() + "' on " + what + ": limit " + limit + ", used " + used + ". Retry in "
                + LimitHeaders.duration(wait) + ".", wait).withHeaders(headers);
    }

    static ImagesApiException modelNotAllowed(KeyLimits key, String model) {
        return new ImagesApiException(403, "invalid_request_error", "model", "model_not_allowed", "Key '" + key.name()
                + "' may not use the model '" + ImagesApiException.excerpt(model) + "'; it may use: "
                + String.join(", ", new java.util.TreeSet<>(key.models())) + ".", null)
                .withHeaders(Map.of("x-should-retry", "false"));
    }

    static ImagesApiException tooManyConcurrent(KeyLimits key, int limit) {
        return new ImagesApiException(429, "requests", null, "rate_limit_exceeded", "Key '" + key.name() + "' has "
                + limit + " requests in flight on this server, its maximum. Retry when one has finished.",
                Duration.ofSeconds(1));
    }

    static ImagesApiException unavailable() {
        return new ImagesApiException(503, "api_error", null, "limits_unavailable", "The store that keeps the keys' "
                + "spend and rates cannot be reached, so nothing is paid for now. Retry shortly.",
                Duration.ofSeconds(5));
    }

    private static Map<String, String> noRetry(Map<String, String> headers) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put("x-should-retry", "false");
        return all;
    }

    private static String usd(BigDecimal amount) {
        return amount.setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
