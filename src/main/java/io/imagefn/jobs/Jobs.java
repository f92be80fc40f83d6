package io.imagefn.jobs;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.idempotency.Replays;
import io.imagefn.images.Edit;
import io.imagefn.images.EditRequest;
import io.imagefn.images.ErrorBody;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImageRef;
import io.imagefn.images.ImageRequest;
import io.imagefn.images.ImageRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.InputImage;
import io.imagefn.images.InputRules;
import io.imagefn.images.Variation;
import io.imagefn.images.VariationRequest;
import io.imagefn.inputs.ImageInputs;
import io.imagefn.memory.MemoryBudget;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;
import io.imagefn.pricing.CostEstimator;
import io.imagefn.storage.ImageStore;
import io.imagefn.storage.StorageException;
import io.quarkus.logging.Log;

/**
 * Asynchronous image jobs ({@code Prefer: respond-async}): a request is validated exactly as a synchronous one (a
 * refused request queues nothing and costs nothing), its input images are staged in the bucket, and a job record is
 * written; the job then runs detached ({@link JobRunner}) and is read by its id, only by the caller that made it.
 */
@ApplicationScoped
public class Jobs {

    private final ImagefnConfig config;
    private final JobStore store;
    private final JobRunner runner;
    private final JobViews views;
    private final Webhooks webhooks;
    private final ImageInputs inputs;
    private final ImageStore images;
    private final MemoryBudget memory;
    private final CostEstimator costs;
    private final Replays replays;
    private final JobDispatch dispatch;
    private final SecureRandom random = new SecureRandom();

    public Jobs(ImagefnConfig config, JobStore store, JobRunner runner, JobViews views, Webhooks webhooks,
            ImageInputs inputs, ImageStore images, MemoryBudget memory, CostEstimator costs, Replays replays,
            JobDispatch dispatch) {
        this.dispatch = dispatch;
        this.config = config;
        this.store = store;
        this.runner = runner;
        this.views = views;
        this.webhooks = webhooks;
        this.inputs = inputs;
        this.images = images;
        this.memory = memory;
        this.costs = costs;
        this.replays = replays;
    }

    /** The webhook a request asked for: its URL and events (null: the terminal ones). */
    public record WebhookAsk(String url, List<String> events) {
    }

    /**
     * Whether this process can run jobs after answering: not on AWS Lambda, which freezes the process once the
     * answer is sent. There {@code Prefer: respond-async} is not applied (RFC 7240 lets a server ignore a
     * preference): the request is answered as usual, without {@code Preference-Applied}.
     */
    public boolean served() {
        return dispatch.available();
    }


    public ImageJob submitGeneration(GenerateRequest request, Origin origin, WebhookAsk webhook) {
        ImageModel model = ImageRules.validate(request, allowUnknownModels()).model();
        refuseStream(request.stream());
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "prompt", request.prompt());
        put(body, "model", request.model());
        put(body, "n", request.n());
        put(body, "quality", request.quality());
        put(body, "response_format", request.responseFormat());
        put(body, "output_format", request.outputFormat());
        put(body, "output_compression", request.outputCompression());
        put(body, "size", request.size());
        put(body, "moderation", request.moderation());
        put(body, "background", request.background());
        put(body, "style", request.style());
        put(body, "user", request.user());
        return submit("generate", request, model, request.quality(), origin, webhook, () -> body);
    }

    public ImageJob submitEdit(EditRequest request, Origin origin, WebhookAsk webhook) {
        Edit edit = ImageRules.validateEdit(request, allowUnknownModels());
        refuseStream(request.stream());
        return submit("edit", request, edit.model(), request.quality(), origin, webhook, () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            try (MemoryBudget.Lease held = memory.lease()) {
                List<InputImage> loaded = request.images().stream().map(r -> inputs.load(r, origin.owner(), held))
                        .toList();
                InputImage mask = request.mask() == null ? null : inputs.load(request.mask(), origin.owner(), held);
                InputRules.checkEditInputs(edit.model(), loaded, mask);
                List<Object> refs = new ArrayList<>();
                for (int i = 0; i < loaded.size(); i++) {
                    refs.add(staged(request.images().get(i), loaded.get(i), origin));
                }
                body.put("images", refs);
                if (mask != null) {
                    body.put("mask", staged(request.mask(), mask, origin));
                }
            }
            put(body, "prompt", request.prompt());
            put(body, "model", request.model());
            put(body, "n", request.n());
            put(body, "size", request.size());
            put(body, "quality", request.quality());
            put(body, "input_fidelity", request.inputFidelity());
            put(body, "output_format", request.outputFormat());
            put(body, "output_compression", request.outputCompression());
            put(body, "background", request.background());
            put(body, "moderation", request.moderation());
            put(body, "response_format", request.responseFormat());
            put(body, "user", request.user());
            return body;
        });
    }

    public ImageJob submitVariation(VariationRequest request, Origin origin, WebhookAsk webhook) {
        Variation variation = ImageRules.validateVariation(request, allowUnknownModels());
        return submit("variation", request, variation.model(), null, origin, webhook, () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            try (MemoryBudget.Lease held = memory.lease()) {
                InputImage image = inputs.load(request.image(), origin.owner(), held);
                InputRules.checkVariationInput(image);
                body.put("image", staged(request.image(), image, origin));
            }
            put(body, "model", request.model());
            put(body, "n", request.n());
            put(body, "size", request.size());
            put(body, "response_format", request.responseFormat());
            put(body, "user", request.user());
            return body;
        });
    }

    /**
     * A validated request becomes a job: once per idempotency key (a duplicate, on any instance, gets the same job),
     * its webhook checked, its inputs staged, its record written, then queued here.
     */
    private ImageJob submit(String operation, ImageRequest request, ImageModel model, String quality, Origin origin,
            WebhookAsk ask, java.util.function.Supplier<Map<String, Object>> staging) {
        JobRecord.Webhook hook = ask == null ? null : webhooks.check(ask.url(), ask.events());
        Optional<String> key = origin.key(request.idempotencyKey());
        if (key.isPresent() && !ImageRules.isIdempotencyKey(key.get())) {
            throw ImagesApiException.invalid("idempotency_key", "invalid_value",
                    "Invalid idempotency key: expected 1 to 255 printable ASCII characters without spaces.");
        }
        long nowMillis = System.currentTimeMillis();
        String id = JobIds.next(random, nowMillis);
        String owner = origin.owner();
        try {
            if (key.isPresent()) {
                Optional<JobStore.KeyAlias> existing = store.claimKey(owner, operation, key.get(), id,
                        request.fingerprint());
                if (existing.isPresent()) {
                    if (!existing.get().fingerprint().equals(request.fingerprint())) {
                        throw keyReused();
                    }
                    return firstJob(owner, existing.get().id());
                }
            }
            Map<String, Object> body = staging.get();
            int n = request.n() == null ? 1 : request.n();
            String token = dispatch.token();
            JobRecord job = new JobRecord(id, owner, operation, model.name(), n, JobRecord.QUEUED, nowMillis / 1000,
                    null, null, body, costs.estimate(model.name(), n, request.size(), quality, null).orElse(null),
                    null, null, null, hook, token, runner.leaseUntil(), false, null);
            if (!store.create(job)) {
                throw new IllegalStateException("job id collision: " + id);
            }
            try {
                dispatch.dispatch(owner, id, token);
            } catch (RuntimeException e) {
                // nothing was paid: the job is closed rather than left queued where nobody would find it
                store.update(owner, id, r -> r.finished() ? null : r.failed(System.currentTimeMillis() / 1000,
                        new ErrorBody.Error("The job could not be started.", "api_error", null, "job_dispatch_failed"),
                        503));
                throw e;
            }
            return views.view(job);
        } catch (StorageException e) {
            throw unavailable();
        }
    }

    /** The job a duplicate's key made; its record may still be being written by the first request. */
    private ImageJob firstJob(String owner, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobStore.Versioned> job = store.read(owner, id);
            if (job.isPresent()) {
                return views.view(job.get().job());
            }
            pause(100);
        }
        throw new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, "idempotency_key",
                "idempotency_key_in_progress", "A request with this idempotency key is still being submitted. Retry "
                        + "shortly to get its job.", Duration.ofSeconds(2));
    }

    /** An uploaded or fetched input kept in the bucket, so the job (on any instance) reads it by {@code file_id}. */
    private Map<String, Object> staged(ImageRef ref, InputImage image, Origin origin) {
        if (ref.fileId() != null) {
            return Map.of("file_id", ref.fileId());
        }
        return Map.of("file_id", images.put(image.bytes(), image.header().format(), origin.owner()).id());
    }

    /**
     * The caller's job, or empty. A job whose worker died is dispatched again here once its lease has lapsed: the
     * reader that wins a conditional write of a fresh holder token dispatches it, so many polls start one run.
     */
    public Optional<ImageJob> get(String owner, String id) {
        try {
            Optional<JobStore.Versioned> found = store.read(owner, id);
            if (found.isPresent() && lapsed(found.get().job()) && !runner.holds(owner, id)) {
                String token = dispatch.token();
                Optional<JobRecord> retaken = store.update(owner, id, r -> lapsed(r)
                        ? r.held(token, runner.leaseUntil()) : null);
                if (retaken.isPresent()) {
                    Log.warnf("Job %s: its worker's lease ran out; dispatching it again", id);
                    dispatch.dispatch(owner, id, token);
                    return retaken.map(views::view);
                }
            }
            return found.map(v -> views.view(v.job()));
        } catch (StorageException e) {
            throw unavailable();
        }
    }

    /** A page of the caller's jobs, newest first. */
    public record Page(String object, List<ImageJob> data, @JsonProperty("first_id") String firstId,
            @JsonProperty("last_id") String lastId, @JsonProperty("has_more") boolean hasMore) {
    }

    public Page list(String owner, String after, int limit) {
        try {
            List<String> ids = store.list(owner, after, limit + 1);
            boolean more = ids.size() > limit;
            List<ImageJob> jobs = ids.stream().limit(limit).map(id -> store.read(owner, id)).flatMap(Optional::stream)
                    .map(v -> views.view(v.job())).toList();
            return new Page("list", jobs, jobs.isEmpty() ? null : jobs.get(0).id(),
                    jobs.isEmpty() ? null : jobs.get(jobs.size() - 1).id(), more);
        } catch (StorageException e) {
            throw unavailable();
        }
    }

    /**
     * Cancels a job, idempotently: a queued job is cancelled (nothing paid); a running one has its upstream call in
     * flight or about to be, which cannot be unpaid, so it finishes and keeps its images, and the answer says so
     * ({@code cancel_requested}, {@code note}); a cancelled job answers as it is; a completed or failed one is 409
     * {@code job_already_finished}.
     */
    public ImageJob cancel(String owner, String id) {
        try {
            Optional<JobRecord> changed = store.update(owner, id, r -> {
                if (r.finished()) {
                    return null;
                }
                if (JobRecord.QUEUED.equals(r.status())) {
                    return r.cancelled(System.currentTimeMillis() / 1000);
                }
                return r.cancelRequested("The job was running when it was cancelled: its upstream call cannot be "
                        + "unpaid, so it finishes and keeps its images.");
            });
            changed.filter(r -> JobRecord.CANCELLED.equals(r.status()))
                    .ifPresent(r -> runner.announce(r, Webhooks.CANCELLED));
            JobRecord job = changed.or(() -> store.read(owner, id).map(JobStore.Versioned::job))
                    .orElseThrow(() -> notFound(id));
            if (job.finished() && !JobRecord.CANCELLED.equals(job.status())) {
                throw new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, null, "job_already_finished",
                        "The job is already " + job.status() + "; there is nothing to cancel.", null);
            }
            return views.view(job);
        } catch (StorageException e) {
            throw unavailable();
        }
    }

    /**
     * Waits up to {@code wait} (capped by {@code imagefn.jobs.max-wait}) for the job to finish: its answer as the
     * synchronous request would have given it (200, or its error), or empty when it is still running.
     */
    public Optional<ImagesResponse> await(ImageJob job, Origin origin, String responseFormat, Duration wait) {
        Duration capped = wait.compareTo(config.jobs().maxWait()) > 0 ? config.jobs().maxWait() : wait;
        long deadline = System.nanoTime() + capped.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobRecord> now = store.read(origin.owner(), job.id()).map(JobStore.Versioned::job);
            if (now.isPresent() && JobRecord.COMPLETED.equals(now.get().status())) {
                String name = now.get().model();
                ImageModel model = ImageModel.known(name).orElseGet(() -> ImageModel.unknown(name));
                return replays.replay(now.get().result(), ImagePipeline.inline(origin, model, responseFormat));
            }
            if (now.isPresent() && JobRecord.FAILED.equals(now.get().status())) {
                var e = now.get().error();
                throw new ImagesApiException(now.get().errorStatus() == null ? 500 : now.get().errorStatus(),
                        e.type(), e.param(), e.code(), e.message(), null);
            }
            if (now.isEmpty() || now.get().finished()) {
                return Optional.empty();
            }
            pause(200);
        }
        return Optional.empty();
    }

    private static boolean lapsed(JobRecord job) {
        return !job.finished() && job.leaseUntil() < System.currentTimeMillis();
    }

    private static ImagesApiException keyReused() {
        return new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, "idempotency_key",
                "idempotency_key_reused", "This idempotency key was already used with a different request. Use a new "
                        + "key for a new request.", null);
    }

    public static ImagesApiException notFound(String id) {
        return new ImagesApiException(404, ImagesApiException.INVALID_REQUEST, null, "job_not_found",
                "No job found with id '" + ImagesApiException.excerpt(id) + "'.", null);
    }

    private static ImagesApiException unavailable() {
        return new ImagesApiException(503, "api_error", null, "job_store_unavailable", "The object store that keeps "
                + "jobs cannot be reached. Retry shortly.", Duration.ofSeconds(5));
    }

    private static void refuseStream(Boolean stream) {
        if (Boolean.TRUE.equals(stream)) {
            throw ImagesApiException.invalid("stream", "unsupported_parameter", "stream: true cannot be combined with "
                    + "Prefer: respond-async: a job's result is read from the job, not streamed. Send one or the "
                    + "other.");
        }
    }

    private boolean allowUnknownModels() {
        return config.upstream().allowUnknownModels();
    }

    private static void put(Map<String, Object> body, String name, Object value) {
        if (value != null) {
            body.put(name, value);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a job", e);
        }
    }
}
