package io.imagefn.observe;

import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Where imagefn's metrics go: Micrometer's registry in the builds that serve {@code /q/metrics} (the HTTP, Knative and
 * function-URL builds), nowhere in the Lambda invoke build, which has no registry and so ships no metrics library.
 * Names follow Micrometer's dotted convention; every tag value is bounded.
 */
public interface Meters {

    /** One request: {@code imagefn.requests}, and the images and estimated cost (when known) it produced. */
    void request(String function, String binding, String model, String outcome, long nanos, int stored, int unstored,
            OptionalDouble costUsd);

    /** One upstream attempt: {@code imagefn.upstream.attempts}. */
    void upstreamAttempt(String operation, String status, long nanos);

    /** One object write: {@code imagefn.storage.writes} and, when it succeeded, its bytes. */
    void storageWrite(boolean ok, long bytes);

    /** A value read whenever the metrics are scraped (no tags). */
    void gauge(String name, String description, Supplier<Number> value);

    /** One more of something counted (no tags). */
    void count(String name, String description);

    /**
     * {@code amount} more of something counted, with tags whose values are bounded (a configured key's name, a
     * refusal's code), never a caller's free text.
     */
    void add(String name, String description, double amount, String... tags);
}
