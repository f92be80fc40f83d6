package io.imagefn.limits;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Binding;
import io.imagefn.observe.Telemetry;
import io.imagefn.pipeline.Origin;
import io.imagefn.pricing.CostEstimator;
import io.imagefn.upstream.Billing;
import io.quarkus.logging.Log;

/**
 * Admission of every paid request, whatever its binding, before anything is paid: its key found, the model checked,
 * a place among the key's requests in flight on this instance taken, then the request's greatest cost reserved
 * against the key's budget and counted in its rate windows ({@link Ledger}). The {@link Ticket} it answers settles the
 * reservation to the real cost once the upstream has answered, or releases it when the call certainly cost nothing
 * ({@link Billing}); a call that may have been paid is settled at its reserved cost, never released. A job reserves
 * when it is submitted (under its id) and its run finds that reservation instead of making another.
 */
@ApplicationScoped
public class Admission {

    private final KeyRegistry keys;
    private final Ledger ledger;
    private final CostEstimator costs;
    private final ImagefnConfig config;
    private final Telemetry telemetry;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public Admission(KeyRegistry keys, Ledger ledger, CostEstimator costs, ImagefnConfig config, Telemetry telemetry) {
        this.keys = keys;
        this.ledger = ledger;
        this.costs = costs;
        this.config = config;
        this.telemetry = telemetry;
    }

    /**
     * What a request may cost: its model, the images it asks for, their size and quality, its prompt's length in
     * UTF-8 bytes and its input images.
     */
    public record Ask(ImageModel model, int images, String size, String quality, long promptBytes, int inputImages) {
    }

    /** The key a request's owner stands for (its limits), for callers that name it. */
    public KeyLimits key(Origin origin) {
        return keys.of(origin.owner());
    }

    /** Refuses, with 403 {@code model_not_allowed}, a model the caller's key may not use: a check before any work. */
    public void checkModel(Origin origin, ImageModel model) {
        KeyLimits key = keys.of(origin.owner());
        if (!key.allows(model.name())) {
            ImagesApiException refused = Refusals.modelNotAllowed(key, model.name());
            telemetry.add("imagefn.limits.refused", "Paid requests refused by their key's limits", 1, "key",
                    key.name(), "reason", refused.code());
            throw refused;
        }
    }

    /**
     * Admits a request or refuses it (403 {@code model_not_allowed}, 429 {@code rate_limit_exceeded} or
     * {@code insufficient_quota}, 503 {@code limits_unavailable}); a refusal costs nothing and changes nothing.
     */
    public Ticket admit(Origin origin, Ask ask) {
        KeyLimits key = keys.of(origin.owner());
        boolean job = origin.binding() == Binding.JOB;
        try {
            if (!key.allows(ask.model().name())) {
                throw Refusals.modelNotAllowed(key, ask.model().name());
            }
            Semaphore slot = job ? null : takePlace(key);
            try {
                if (!key.counted()) {
                    return new Ticket(this, key, null, slot);
                }
                String id = job ? origin.idempotencyKey() : "r_" + HexFormat.of().formatHex(random.generateSeed(12));
                Duration lease = job ? config.jobs().retention() : config.limits().reservationLease();
                Ledger.Reservation reservation = reserve(key, new Ledger.Charge(id, bound(key, ask), ask.images(),
                        lease));
                return new Ticket(this, key, reservation, slot);
            } catch (RuntimeException e) {
                if (slot != null) {
                    slot.release();
                }
                throw e;
            }
        } catch (ImagesApiException refused) {
            telemetry.add("imagefn.limits.refused", "Paid requests refused by their key's limits", 1, "key",
                    key.name(), "reason", String.valueOf(refused.code()));
            throw refused;
        }
    }

    /**
     * Reserves a job's greatest cost when it is submitted, under the job's id: its run finds this reservation, and it
     * lasts as long as a job is kept. No place among the requests in flight is taken: the job queues.
     */
    public Ticket reserveJob(Origin origin, Ask ask, String jobId) {
        return admit(new Origin(Binding.JOB, origin.owner(), jobId), ask);
    }

    /** Gives back a job's reservation: the job was cancelled, or failed, before it was paid. */
    public void releaseJob(String owner, String jobId) {
        KeyLimits key = keys.of(owner);
        if (key.counted()) {
            quietly(key, () -> ledger.release(new Ledger.Reservation(key.name(), jobId, BigDecimal.ZERO, null)),
                    "released");
        }
    }

    /**
     * Settles a job's reservation at what it holds: the platform gave up on the job (a Lambda worker's OnFailure), whose
     * call may have been paid.
     */
    public void settleJobAtReserved(String owner, String jobId) {
        KeyLimits key = keys.of(owner);
        if (key.counted()) {
            quietly(key, () -> ledger.settle(new Ledger.Reservation(key.name(), jobId, BigDecimal.ZERO, null), null),
                    "settled");
        }
    }

    /** The key's standing, for {@code GET /v1/usage}. */
    public KeyUsage usage(Origin origin) {
        KeyLimits key = keys.of(origin.owner());
        return ledger.usage(key);
    }

    /** This instance's requests in flight for {@code key}. */
    public int inFlight(KeyLimits key) {
        Semaphore s = inFlight.get(key.name());
        return s == null || key.maxConcurrent().isEmpty() ? 0 : key.maxConcurrent().getAsInt() - s.availablePermits();
    }

    private Semaphore takePlace(KeyLimits key) {
        if (key.maxConcurrent().isEmpty()) {
            return null;
        }
        int limit = key.maxConcurrent().getAsInt();
        Semaphore s = inFlight.computeIfAbsent(key.name(), n -> new Semaphore(limit));
        if (!s.tryAcquire()) {
            throw Refusals.tooManyConcurrent(key, limit);
        }
        return s;
    }

    private BigDecimal bound(KeyLimits key, Ask ask) {
        String largest = ask.model().sizes().stream().filter(s -> !s.equals("auto"))
                .max(java.util.Comparator.comparingLong(Admission::area)).orElse("1024x1024");
        Optional<BigDecimal> bound = costs.upperBound(ask.model().name(), Math.max(1, ask.images()), ask.size(),
                ask.quality(), ask.promptBytes(), ask.inputImages(), largest);
        if (bound.isEmpty() && key.budget().isPresent()) {
            throw new ImagesApiException(403, "invalid_request_error", "model", "model_not_allowed", "Key '"
                    + key.name() + "' has a budget, and the model '" + ImagesApiException.excerpt(ask.model().name())
                    + "' has no price to keep it by.", null).withHeaders(Map.of("x-should-retry", "false"));
        }
        return bound.orElse(BigDecimal.ZERO);
    }

    private static long area(String size) {
        int x = size.indexOf('x');
        try {
            return Long.parseLong(size.substring(0, x)) * Long.parseLong(size.substring(x + 1));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private Ledger.Reservation reserve(KeyLimits key, Ledger.Charge charge) {
        try {
            Ledger.Reservation reservation = ledger.reserve(key, charge);
            if (reservation.after() != null) {
                LimitHeaders.note(LimitHeaders.of(reservation.after(), Instant.now()));
            }
            telemetry.add("imagefn.limits.reserved", "USD reserved by paid requests before their calls",
                    charge.usd().doubleValue(), "key", key.name());
            return reservation;
        } catch (ImagesApiException e) {
            e.answerHeaders().entrySet().stream().filter(h -> h.getKey().startsWith("x-ratelimit-")).findAny()
                    .ifPresent(h -> LimitHeaders.note(e.answerHeaders()));
            if ("limits_unavailable".equals(e.code()) && config.limits().failOpen()) {
                Log.errorf("Limits: the ledger cannot be reached; key '%s' is let through UNLIMITED "
                        + "(imagefn.limits.fail-open=true)", key.name());
                return null;
            }
            throw e;
        }
    }

    private void quietly(KeyLimits key, Runnable change, String what) {
        try {
            change.run();
        } catch (RuntimeException e) {
            // the reservation stays until its lease lapses
            Log.errorf("Limits: a reservation of key '%s' could not be %s: %s", key.name(), what, e.getMessage());
        }
    }

    /**
     * One admitted request's reservation and place, closed once: settled to what it cost, released when it certainly
     * cost nothing, or given up (a job's reservation is kept for its run).
     */
    public static final class Ticket {
        private final Admission admission;
        private final KeyLimits key;
        private final Ledger.Reservation reservation;
        private final Semaphore slot;
        private final AtomicBoolean closed = new AtomicBoolean();

        Ticket(Admission admission, KeyLimits key, Ledger.Reservation reservation, Semaphore slot) {
            this.admission = admission;
            this.key = key;
            this.reservation = reservation;
            this.slot = slot;
        }

        /** The key it was admitted under. */
        public KeyLimits key() {
            return key;
        }

        /** The greatest cost reserved (zero without a budget). */
        public BigDecimal reserved() {
            return reservation == null ? BigDecimal.ZERO : reservation.usd();
        }

        /** The upstream answered: {@code cost} was paid, or the reserved greatest cost when it is not known. */
        public void paid(Optional<BigDecimal> cost) {
            close(true, cost.orElse(reserved()));
        }

        /** The upstream call failed with {@code failure}: settled at the reserved cost if it may have been paid. */
        public void failed(Throwable failure) {
            boolean paid = Billing.mayHaveBeenPaid(failure);
            close(paid, reserved());
        }

        /** Nothing was sent upstream (the request was refused after admission): the reservation goes back. */
        public void unused() {
            close(false, BigDecimal.ZERO);
        }

        /**
         * Ends a ticket nothing else ended (an unforeseen failure on the way): the call may have gone out, so it is
         * settled at the reserved cost, never released.
         */
        public void close() {
            close(true, reserved());
        }

        /** A job's submission is done with its ticket: the reservation stays for the job's run. */
        public void keptForJob() {
            if (closed.compareAndSet(false, true) && slot != null) {
                slot.release();
            }
        }

        private void close(boolean paid, BigDecimal usd) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (slot != null) {
                slot.release();
            }
            if (paid) {
                admission.telemetry.add("imagefn.limits.spent", "USD spent by paid requests, per key (at list "
                        + "prices; a call that may have been paid counts at its reserved cost)", usd.doubleValue(),
                        "key", key.name());
            }
            if (reservation == null) {
                return;
            }
            if (paid) {
                admission.quietly(key, () -> admission.ledger.settle(reservation, usd), "settled (its spend of $"
                        + usd.toPlainString() + " is lost to the ledger)");
            } else {
                admission.quietly(key, () -> admission.ledger.release(reservation), "released");
            }
        }
    }
}
