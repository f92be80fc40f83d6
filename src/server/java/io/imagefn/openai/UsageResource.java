package io.imagefn.openai;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.http.HttpOrigin;
import io.imagefn.limits.Admission;
import io.imagefn.limits.KeyLimits;
import io.imagefn.limits.KeyUsage;
import io.imagefn.limits.LimitHeaders;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.Origin;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/**
 * {@code GET /v1/usage}: what the calling key may still do. Its own limits, what it has spent and holds in
 * reservations this period and when the period starts again, its requests and images in the last minute; never another
 * key's. A key without limits answers with its name only. The answer carries the {@code x-ratelimit-*} headers too.
 */
@Path("/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    private final Admission admission;
    private final CurrentVertxRequest http;
    private final ImagefnConfig config;

    public UsageResource(Admission admission, CurrentVertxRequest http, ImagefnConfig config) {
        this.admission = admission;
        this.http = http;
        this.config = config;
    }

    /** The answer: the key's name and, for each limit it has, where it stands. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Usage(String object, String key, List<String> models, Budget budget, Window requests, Window images,
            Concurrent concurrent, @JsonProperty("queued_jobs") Limit queuedJobs) {
    }

    /** A budget and where it stands; {@code resets_at} unix seconds, absent for a grant. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Budget(BigDecimal usd, String period, @JsonProperty("period_name") String periodName,
            @JsonProperty("spent_usd") BigDecimal spent, @JsonProperty("reserved_usd") BigDecimal reserved,
            @JsonProperty("reservations") int reservations, @JsonProperty("remaining_usd") BigDecimal remaining,
            @JsonProperty("resets_at") Long resetsAt) {
    }

    /** A per-minute window: its limit, what is left, and when the oldest use leaves it (unix milliseconds). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(int limit, int used, int remaining, @JsonProperty("frees_at_ms") Long freesAt) {
    }

    /** Requests in flight at once, counted on each instance. */
    public record Concurrent(int limit, @JsonProperty("in_flight_here") int inFlightHere) {
    }

    public record Limit(int limit) {
    }

    @GET
    public Usage usage() {
        Origin origin = HttpOrigin.of(Binding.V1, http.getCurrent());
        KeyLimits key = admission.key(origin);
        List<String> models = key.models().isEmpty() ? null : key.models().stream().sorted().toList();
        Concurrent concurrent = key.maxConcurrent().isPresent() ? new Concurrent(key.maxConcurrent().getAsInt(),
                admission.inFlight(key)) : null;
        Limit queued = new Limit(key.maxQueuedJobs().orElse(config.jobs().maxQueuedPerKey()));
        if (!key.counted()) {
            return new Usage("usage", key.name(), models, null, null, null, concurrent, queued);
        }
        Instant now = Instant.now();
        KeyUsage usage = admission.usage(origin);
        Map<String, String> headers = LimitHeaders.of(usage, now);
        headers.forEach(http.getCurrent().response()::putHeader);
        Long frees = usage.windowFrees().map(Instant::toEpochMilli).orElse(null);
        Budget budget = key.budget().map(b -> new Budget(b.usd(), b.period().word(), usage.period(), usage.spent(),
                usage.reserved(), usage.reservations(), usage.remainingUsd().orElse(null),
                b.period().endsAfter(now).map(Instant::getEpochSecond).orElse(null))).orElse(null);
        Window requests = key.requestsPerMinute().isPresent() ? new Window(key.requestsPerMinute().getAsInt(),
                usage.requests(), usage.remainingRequests().getAsInt(), frees) : null;
        Window images = key.imagesPerMinute().isPresent() ? new Window(key.imagesPerMinute().getAsInt(),
                usage.images(), usage.remainingImages().getAsInt(), frees) : null;
        return new Usage("usage", key.name(), models, budget, requests, images, concurrent, queued);
    }
}
