package io.imagefn.jobs;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.Edit;
import io.imagefn.images.EditRequest;
import io.imagefn.images.ErrorBody;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImageRequest;
import io.imagefn.images.ImageRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.Variation;
import io.imagefn.limits.Admission;
import io.imagefn.images.VariationRequest;
import io.imagefn.pipeline.Origin;
import io.imagefn.pricing.CostEstimator;
import io.imagefn.storage.StorageException;
import io.imagefn.upstream.UpstreamScope;

/**
 * Asynchronous image jobs ({@code Prefer: respond-async}) coming in: a request is validated exactly as a synchronous
 * one (a refused request queues nothing and costs nothing), takes a place in this instance's queue and in its key's
 * queue (429 beyond either bound, nothing written), has its input images staged in the bucket, and is written as a job
 * record that runs detached ({@link JobDispatch}); a duplicate of an idempotency key, on any instance, gets the same
 * job.
 */
@ApplicationScoped
public class JobSubmissions {

    private final ImagefnConfig config;
    private final JobStore store;
    private final JobRunner runner;
    private final JobViews views;
    private final Webhooks webhooks;
    private final JobInputs inputs;
    private final KeyQueues queues;
    private final CostEstimator costs;
    private final JobDispatch dispatch;
    private final UpstreamScope scope;
    private final Admission admission;
    private final SecureRandom random = new SecureRandom();

    public JobSubmissions(ImagefnConfig config, JobStore store, JobRunner runner, JobViews views, Webhooks webhooks,
            JobInputs inputs, KeyQueues queues, CostEstimator costs, JobDispatch dispatch, UpstreamScope scope,
            Admission admission) {
        this.scope = scope;
        this.admission = admission;
        this.config = config;
        this.store = store;
        this.runner = runner;
        this.views = views;
        this.webhooks = webhooks;
        this.inputs = inputs;
        this.queues = queues;
        this.costs = costs;
        this.dispatch = dispatch;
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

    public ImageJob generation(GenerateRequest request, Origin origin, WebhookAsk webhook) {
        ImageModel model = ImageRules.validate(request, allowUnknownModels()).model();
        refuseStream(request.stream());
        admission.checkModel(origin, model);
        return submit("generate", request, ask(model, request, request.prompt(), request.quality(), 0), origin,
                webhook, body -> {
                });
    }

    public ImageJob edit(EditRequest request, Origin origin, WebhookAsk webhook) {
        Edit edit = ImageRules.validateEdit(request, allowUnknownModels());
        refuseStream(request.stream());
        scope.checkEdit(request);
        admission.checkModel(origin, edit.model());
        int in = request.images().size() + (request.mask() == null ? 0 : 1);
        return submit("edit", request, ask(edit.model(), request, request.prompt(), request.quality(), in), origin,
                webhook, body -> inputs.stageEdit(request, edit, origin, body));
    }

    public ImageJob variation(VariationRequest request, Origin origin, WebhookAsk webhook) {
        Variation variation = ImageRules.validateVariation(request, allowUnknownModels());
        scope.checkVariation();
        admission.checkModel(origin, variation.model());
        return submit("variation", request, ask(variation.model(), request, null, null, 1), origin, webhook,
                body -> inputs.stageVariation(request, origin, body));
    }

    /**
     * A validated request becomes a job. In this order, so that a refusal writes nothing: the webhook checked; the
     * job an idempotency key made already answered (a retry gets its job even when the key is full); a place in this
     * instance's queue and in the key's; the key claimed (a duplicate racing this one gets this job); the inputs
     * staged; the record written; the run dispatched.
     */
    private ImageJob submit(String operation, ImageRequest request, Admission.Ask cost, Origin origin,
            WebhookAsk ask, Consumer<Map<String, Object>> staging) {
        ImageModel model = cost.model();
        String quality = cost.quality();
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
                Optional<JobStore.KeyAlias> earlier = store.keyAlias(owner, operation, key.get());
                if (earlier.isPresent()) {
                    return sameRequestsJob(owner, earlier.get(), request);
                }
            }
            try (JobDispatch.Place place = dispatch.reserve()) {
                queues.enter(owner, id);
                boolean written = false;
                try {
                    if (key.isPresent()) {
                        Optional<JobStore.KeyAlias> raced = store.claimKey(owner, operation, key.get(), id,
                                request.fingerprint());
                        if (raced.isPresent()) {
                            return sameRequestsJob(owner, raced.get(), request);
                        }
                    }
                    // the job's greatest cost reserved under its id now, before anything is paid; its run finds it
                    Admission.Ticket reserved = admission.reserveJob(origin, cost, id);
                    reserved.keptForJob();
                    Map<String, Object> body = JobBodies.of(request);
                    staging.accept(body);
                    int n = request.n() == null ? 1 : request.n();
                    String token = dispatch.token();
                    JobRecord job = new JobRecord(id, owner, operation, model.name(), n, JobRecord.QUEUED,
                            nowMillis / 1000, null, null, body, costs.estimate(model.name(), n, request.size(), quality,
                                    null).orElse(null), null, null, null, hook, token, runner.leaseUntil(), false,
                            null);
                    if (!store.create(job)) {
                        throw new IllegalStateException("job id collision: " + id);
                    }
                    written = true;
                    start(job, token, place);
                    return views.view(job);
                } finally {
                    if (!written) {
                        giveBack(owner, operation, key, id);
                    }
                }
            }
        } catch (StorageException e) {
            throw JobErrors.unavailable();
        }
    }

    /** Dispatches a written job; one that cannot be started is closed (nothing was paid) rather than left queued. */
    private void start(JobRecord job, String token, JobDispatch.Place place) {
        try {
            dispatch.dispatch(job.owner(), job.id(), token, place);
        } catch (RuntimeException e) {
            store.update(job.owner(), job.id(), r -> r.finished() ? null : r.failed(System.currentTimeMillis() / 1000,
                    new ErrorBody.Error("The job could not be started.", "api_error", null, "job_dispatch_failed"),
                    503)).ifPresent(r -> {
                        queues.leave(r.owner(), r.id());
                        admission.releaseJob(r.owner(), r.id());
                    });
            throw e;
        }
    }

    /**
     * A submission refused after taking its places: the key's queue place, its reservation and its idempotency key are
     * freed (nothing was paid: the job was never written).
     */
    private void giveBack(String owner, String operation, Optional<String> key, String id) {
        try {
            queues.leave(owner, id);
            admission.releaseJob(owner, id);
            key.ifPresent(k -> store.releaseKey(owner, operation, k, id));
        } catch (RuntimeException e) {
            // the queue entry is dropped when the key is next full (no record: not unfinished); the key then names
            // a job that was never written, which a retry is told is still being submitted
        }
    }

    /** The job an earlier request with this idempotency key made, if the request is the same one. */
    private ImageJob sameRequestsJob(String owner, JobStore.KeyAlias alias, ImageRequest request) {
        if (!alias.fingerprint().equals(request.fingerprint())) {
            throw JobErrors.keyReused();
        }
        return firstJob(owner, alias.id());
    }

    /** The job a duplicate's key made; its record may still be being written by the first request. */
    private ImageJob firstJob(String owner, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobStore.Versioned> job = store.read(owner, id);
            if (job.isPresent()) {
                return views.view(job.get().job());
            }
            JobErrors.pause(100);
        }
        throw new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, "idempotency_key",
                "idempotency_key_in_progress", "A request with this idempotency key is still being submitted. Retry "
                        + "shortly to get its job.", Duration.ofSeconds(2));
    }

    /** What a job may cost, for its key's reservation. */
    private static Admission.Ask ask(ImageModel model, ImageRequest request, String prompt, String quality,
            int inputImages) {
        long promptBytes = prompt == null ? 0 : prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return new Admission.Ask(model, request.n() == null ? 1 : request.n(), request.size(), quality, promptBytes,
                inputImages);
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
}
