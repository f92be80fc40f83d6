package io.imagefn.limits;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A key's standing at one moment: its budget's period, spend and reservations; its requests and images in the last
 * minute and when the oldest of them leaves the window.
 *
 * @param windowFrees when the oldest admission of the last minute leaves it (empty: the window is empty)
 */
public record KeyUsage(KeyLimits limits, String period, BigDecimal spent, BigDecimal reserved, int reservations,
        int requests, int images, Optional<Instant> windowFrees) {

    public OptionalInt remainingRequests() {
        return limits.requestsPerMinute().isPresent()
                ? OptionalInt.of(Math.max(0, limits.requestsPerMinute().getAsInt() - requests)) : OptionalInt.empty();
    }

    public OptionalInt remainingImages() {
        return limits.imagesPerMinute().isPresent()
                ? OptionalInt.of(Math.max(0, limits.imagesPerMinute().getAsInt() - images)) : OptionalInt.empty();
    }

    /** What the budget has left beyond spend and reservations, or empty without a budget. */
    public Optional<BigDecimal> remainingUsd() {
        return limits.budget().map(b -> b.usd().subtract(spent).subtract(reserved).max(BigDecimal.ZERO));
    }
}
