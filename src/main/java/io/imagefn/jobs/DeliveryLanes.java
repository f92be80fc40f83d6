package io.imagefn.jobs;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs webhook attempts on a shared pool, at most {@code perDestination} at once to any one destination (scheme, host
 * and port), the rest of that destination's attempts waiting in its own lane without holding a thread. A receiver that
 * hangs or trickles can then hold back only deliveries to itself: the other destinations' attempts keep the pool's
 * other threads. Every attempt is bounded by its deadline, so a lane always moves.
 */
final class DeliveryLanes {

    private final ThreadPoolExecutor workers;
    private final int perDestination;
    /** Destinations with an attempt running; guarded by {@code this}. */
    private final Map<String, Lane> lanes = new HashMap<>();

    private static final class Lane {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    DeliveryLanes(int threads, int perDestination) {
        int size = Math.max(1, threads);
        this.workers = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "imagefn-webhooks");
            t.setDaemon(true);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
        this.perDestination = Math.max(1, perDestination);
    }

    /** Runs {@code attempt} when its destination has room. */
    void submit(String destination, Runnable attempt) {
        synchronized (this) {
            Lane lane = lanes.computeIfAbsent(destination, d -> new Lane());
            if (lane.running >= perDestination) {
                lane.waiting.add(attempt);
                return;
            }
            lane.running++;
        }
        start(destination, attempt);
    }

    private void start(String destination, Runnable attempt) {
        workers.execute(() -> {
            try {
                attempt.run();
            } finally {
                next(destination);
            }
        });
    }

    /** The destination's next waiting attempt takes the place of the one that ended. */
    private void next(String destination) {
        Runnable following;
        synchronized (this) {
            Lane lane = lanes.get(destination);
            following = lane.waiting.poll();
            if (following == null && --lane.running == 0) {
                lanes.remove(destination);
            }
        }
        if (following != null) {
            start(destination, following);
        }
    }

    /** Attempts running or waiting, for tests. */
    synchronized int inFlight() {
        return lanes.values().stream().mapToInt(l -> l.running + l.waiting.size()).sum();
    }

    void shutdownNow() {
        workers.shutdownNow();
    }
}
