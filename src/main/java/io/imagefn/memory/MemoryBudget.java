package io.imagefn.memory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Telemetry;

/**
 * The bytes this instance holds for requests at once: request bodies while the HTTP server buffers them, and input
 * images downloaded from URLs or read back from the bucket while their request runs. What would go beyond the budget is
 * refused (503 {@code server_busy} with {@code Retry-After}) before it is read, so a flood of large inputs ends in
 * refusals, never in an {@link OutOfMemoryError}. The budget is {@code imagefn.bodies.budget}, never more than a fifth
 * of the heap: a held byte costs several times its size while it is parsed, encoded and sent on.
 */
@ApplicationScoped
public class MemoryBudget {

    private final long budget;
    private final AtomicLong held = new AtomicLong();

    public MemoryBudget(ImagefnConfig config, Telemetry telemetry) {
        this.budget = Math.min(config.bodies().budget().asLongValue(), Runtime.getRuntime().maxMemory() / 5);
        telemetry.gauge("imagefn.memory.held", "Bytes held for requests now: bodies and downloaded input images",
                held::get);
    }

    /** The budget in bytes. */
    public long budget() {
        return budget;
    }

    /** Bytes held now. */
    public long held() {
        return held.get();
    }

    /** Takes {@code bytes} from the budget if they fit; the caller must {@link #release} them. */
    public boolean tryReserve(long bytes) {
        for (long now = held.get(); now + bytes <= budget; now = held.get()) {
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
        return false;
    }

    public void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** What a request is told when the budget is full: retry in a moment, here or elsewhere. */
    public static ImagesApiException busy(String what) {
        return new ImagesApiException(503, "api_error", null, "server_busy", "The server is holding as many "
                + what + " as it can. Retry shortly.", Duration.ofSeconds(1));
    }

    /** A request's share: everything reserved through it is released together when the request ends. */
    public Lease lease() {
        return new Lease();
    }

    /** The bytes one request holds. */
    public final class Lease implements AutoCloseable {
        private final AtomicLong mine = new AtomicLong();

        private Lease() {
        }

        /**
         * Reserves {@code bytes} for this request.
         *
         * @throws ImagesApiException 503 {@code server_busy} when they do not fit
         */
        public void reserve(long bytes) {
            if (!tryReserve(bytes)) {
                throw busy("input images");
            }
            mine.addAndGet(bytes);
        }

        /** Gives back {@code bytes} reserved through this lease (an estimate that turned out too high). */
        public void giveBack(long bytes) {
            mine.addAndGet(-bytes);
            release(bytes);
        }

        /** Releases all this request holds; idempotent. */
        @Override
        public void close() {
            release(mine.getAndSet(0));
        }
    }
}
