package io.imagefn.upstream;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.observe.Telemetry;

/**
 * The bulkhead of the upstream: at most {@code imagefn.upstream.max-concurrent-calls} exchanges in flight per instance,
 * the excess refused at once. An exchange holds its slot until it is over, not until its method returns: a call until
 * its answer has been read ({@link UpstreamAnswer#close()}), a stream until its last event or its cancellation
 * ({@link UpstreamStream#close()}). SmallRye's {@code @Bulkhead} counts a method's run only, which a stream outlives
 * by minutes, so the count is kept here.
 */
@ApplicationScoped
public class UpstreamSlots {

    private final int size;
    private final Semaphore slots;

    private Telemetry telemetry;

    @Inject
    public UpstreamSlots(ImagefnConfig config, Telemetry telemetry) {
        this(config.upstream().maxConcurrentCalls());
        this.telemetry = telemetry;
        telemetry.gauge("imagefn.upstream.in_flight", "Upstream calls and streams in flight on this instance",
                this::inUse);
    }

    UpstreamSlots(int size) {
        this.size = Math.max(1, size);
        this.slots = new Semaphore(this.size);
    }

    /** One slot, released once however often {@link Slot#release()} is called. */
    public static final class Slot {
        private final Semaphore owner;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Semaphore owner) {
            this.owner = owner;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                owner.release();
            }
        }
    }

    /**
     * A slot now, or {@link Busy} (503 with {@code Retry-After}, never retried: waiting for a slot would hold the
     * caller's thread behind minutes-long generations).
     */
    Slot acquire() {
        if (!slots.tryAcquire()) {
            if (telemetry != null) {
                telemetry.count("imagefn.upstream.refused", "Upstream calls and streams refused: every slot in use");
            }
            throw new Busy();
        }
        return new Slot(slots);
    }

    /** Exchanges in flight now, for the tests. */
    public int inUse() {
        return size - slots.availablePermits();
    }

    /** Every slot is taken. */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("every upstream slot is in use", null, false, false);
        }
    }
}
