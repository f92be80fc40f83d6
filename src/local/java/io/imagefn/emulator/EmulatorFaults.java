package io.imagefn.emulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Misbehaviour queued for the emulator's next requests, so that retries, timeouts and the circuit breaker can be seen
 * working by hand: {@code POST /emulator/faults {"status":429,"retry_after":1,"count":2}}.
 */
@ApplicationScoped
public class EmulatorFaults {

    /**
     * One kind of misbehaviour.
     *
     * @param status     HTTP status to answer with; 0 or absent answers normally (after the latency)
     * @param retryAfter {@code Retry-After} seconds sent with the status, if any
     * @param latencyMs  delay before answering
     * @param count      how many requests get it (default 1)
     */
    @RegisterForReflection
    public record Fault(Integer status, @JsonProperty("retry_after") Integer retryAfter,
            @JsonProperty("latency_ms") Integer latencyMs, Integer count) {
    }

    private final Deque<Fault> queue = new ArrayDeque<>();

    synchronized void add(Fault fault) {
        int count = fault.count() == null ? 1 : Math.max(0, Math.min(fault.count(), 1000));
        for (int i = 0; i < count; i++) {
            queue.add(fault);
        }
    }

    synchronized void clear() {
        queue.clear();
    }

    /** Faults still queued. */
    public synchronized int pending() {
        return queue.size();
    }

    synchronized Optional<Fault> next() {
        return Optional.ofNullable(queue.poll());
    }
}
