package io.imagefn.storage;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.imagefn.config.ImagefnConfig;
import io.smallrye.health.api.HealthGroup;

/**
 * Whether the bucket answers, at {@code /q/health/group/storage} (for monitoring and alerts), not in readiness. A
 * bucket outage is shared by every instance: were readiness to follow it, every pod would leave the load balancer at
 * once and the service would stop, while a ready instance still serves, handing paid images back inline
 * ({@code stored: false}) rather than losing them. One {@code HeadBucket} at most every
 * {@code imagefn.s3.readiness-cache}, so frequent probes cost nothing.
 */
@HealthGroup("storage")
@ApplicationScoped
public class ObjectStoreReadiness implements HealthCheck {

    private final S3Clients store;
    private final Duration cache;
    private volatile Look last;

    private record Look(long atNanos, String problem) {
    }

    public ObjectStoreReadiness(S3Clients store, ImagefnConfig config) {
        this.store = store;
        this.cache = config.s3().readinessCache();
    }

    @Override
    public HealthCheckResponse call() {
        Look look = last;
        if (look == null || System.nanoTime() - look.atNanos() >= cache.toNanos()) {
            look = new Look(System.nanoTime(), problem());
            last = look;
        }
        var response = HealthCheckResponse.named("object-store").withData("embedded", store.usesEmbedded());
        return look.problem() == null ? response.up().build() : response.down().withData("error", look.problem()).build();
    }

    private String problem() {
        try {
            store.checkReachable();
            return null;
        } catch (StorageException e) {
            return e.getMessage();
        }
    }
}
