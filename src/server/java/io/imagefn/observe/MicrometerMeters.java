package io.imagefn.observe;

import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** {@link Meters} on Micrometer's registry: Prometheus text at {@code /q/metrics}. */
@ApplicationScoped
public class MicrometerMeters implements Meters {

    private final MeterRegistry registry;

    public MicrometerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void request(String function, String binding, String model, String outcome, long nanos, int stored,
            int unstored, OptionalDouble costUsd) {
        Timer.builder("imagefn.requests").description("Image requests by function, binding, model and outcome")
                .tags("function", function, "binding", binding, "model", model, "outcome", outcome)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        if (stored > 0) {
            images(function, model, true).increment(stored);
        }
        if (unstored > 0) {
            images(function, model, false).increment(unstored);
        }
        // a known cost is counted even when it is zero (a free model in a pricing file), as an estimate of 0
        if (costUsd.isPresent()) {
            Counter.builder("imagefn.cost").baseUnit("usd").description("Estimated cost at list prices (see "
                    + "estimated_cost)").tags("function", function, "model", model).register(registry)
                    .increment(costUsd.getAsDouble());
        }
    }

    private Counter images(String function, String model, boolean stored) {
        return Counter.builder("imagefn.images").description("Images produced by the upstream, stored or handed over "
                + "inline").tags("function", function, "model", model, "stored", Boolean.toString(stored))
                .register(registry);
    }

    @Override
    public void upstreamAttempt(String operation, String status, long nanos) {
        Timer.builder("imagefn.upstream.attempts").description("Calls to the upstream images API, one per attempt")
                .tags("operation", operation, "status", status).publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void storageWrite(boolean ok, long bytes) {
        Counter.builder("imagefn.storage.writes").description("Objects written to the store")
                .tag("result", ok ? "ok" : "failed").register(registry).increment();
        if (ok) {
            Counter.builder("imagefn.storage.written").baseUnit("bytes").description("Image bytes written to the "
                    + "store").register(registry).increment(bytes);
        }
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    @Override
    public void count(String name, String description) {
        Counter.builder(name).description(description).register(registry).increment();
    }

    @Override
    public void add(String name, String description, double amount, String... tags) {
        Counter.builder(name).description(description).tags(tags).register(registry).increment(amount);
    }
}
