package io.imagefn.limits;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Money and rates per key, shared by every instance: a request reserves its greatest possible cost before anything is
 * paid, and settles it to the real cost once the upstream has answered, or releases it when nothing was paid. The
 * pipeline calls these three at the same points whatever the binding; the store behind them is one implementation
 * ({@link BucketLedger}: conditional writes in the bucket), so another (DynamoDB, Redis) is one more class.
 */
public interface Ledger {

    /**
     * Takes {@code charge} against the key's budget and its rate windows, or refuses it: 429
     * {@code rate_limit_exceeded} (a rate), 429 {@code insufficient_quota} (the budget), 503 {@code limits_unavailable}
     * (the store). A refusal changes nothing.
     */
    Reservation reserve(KeyLimits key, Charge charge);

    /** The call was paid: {@code usd} is spent and the reservation gone. */
    void settle(Reservation reservation, BigDecimal usd);

    /** Nothing was paid: the reservation is given back. */
    void release(Reservation reservation);

    /** What the key has spent, holds and may still do, now. */
    KeyUsage usage(KeyLimits key);

    /**
     * What a request may cost.
     *
     * @param id     names the reservation (a job's id, so its settlement finds it from any instance)
     * @param usd    the greatest cost the request can have
     * @param images how many images it asks for
     * @param lease  how long the reservation holds if nobody settles it: longer than the call may be paid
     */
    record Charge(String id, BigDecimal usd, int images, Duration lease) {
    }

    /** A reservation made, and the key's windows as it left them (for the answer's rate-limit headers). */
    record Reservation(String key, String id, BigDecimal usd, KeyUsage after) {
    }
}
