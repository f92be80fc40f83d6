package io.imagefn.observe;

import java.util.OptionalDouble;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@link Meters} in the Lambda invoke build, which has no metrics endpoint (CloudWatch has the invocations, the log line
 * has each request's outcome): nothing, at no cost, and no metrics library in the function package.
 */
@ApplicationScoped
public class NoMeters implements Meters {

    @Override
    public void request(String function, String binding, String model, String outcome, long nanos, int stored,
            int unstored, OptionalDouble costUsd) {
        // no registry in this build
    }

    @Override
    public void upstreamAttempt(String operation, String status, long nanos) {
        // no registry in this build
    }

    @Override
    public void storageWrite(boolean ok, long bytes) {
        // no registry in this build
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value) {
        // no registry in this build
    }

    @Override
    public void count(String name, String description) {
        // no registry in this build
    }

    @Override
    public void add(String name, String description, double amount, String... tags) {
        // no registry in this build
    }
}
