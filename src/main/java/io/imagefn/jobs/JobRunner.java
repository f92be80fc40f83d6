package io.imagefn.jobs;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.PreDestroy;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.idempotency.Idempotency;
import io.imagefn.idempotency.IdempotencyRecord;
import io.imagefn.images.EditRequest;
import io.imagefn.images.ErrorBody;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.limits.Admission;
import io.imagefn.observe.Binding;
import io.imagefn.observe.Redaction;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Runs jobs on this instance: a bounded pool ({@code imagefn.jobs.max-concurrent}); jobs beyond it wait as
 * {@code queued} records. A job is held under a lease this instance renews while it has the job; a job whose instance
 * died is taken over by the next instance that reads it after the lease ({@link Jobs#get}), with a conditional write,
 * so one instance runs it. The paid part runs under the job's id as its idempotency key: a job taken over after its
 * images were stored is answered from the idempotency record, never paid twice.
 */
@ApplicationScoped
public class JobRunner {

    private final String instance = UUID.randomUUID().toString();
    private final ImagefnConfig config;
    private final JobStore store;
    private final ImagePipeline pipeline;
    private final Idempotency idempotency;
    private final Webhooks webhooks;
    private final JobViews views;
    private final KeyQueues queues;
    private final Admission admission;
    private final ThreadPoolExecutor pool;
    /** Room for the jobs queued or running here: max-concurrent plus max-queued. */
    private final Semaphore places;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "imagefn-job-leases");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;
    /** Jobs this instance holds (queued here or running): their leases are renewed. */
    private final Set<Ref> held = ConcurrentHashMap.newKeySet();

    record Ref(String owner, String id) {
    }

    public JobRunner(ImagefnConfig config, JobStore store, ImagePipeline pipeline, Idempotency idempotency,
            Webhooks webhooks, JobViews views, KeyQueues queues, Admission admission) {
        this.admission = admission;
        this.config = config;
        this.store = store;
        this.pipeline = pipeline;
        this.idempotency = idempotency;
        this.webhooks = webhooks;
        this.views = views;
        this.queues = queues;
        int threads = Math.max(1, config.jobs().maxConcurrent());
        this.places = new Semaphore(threads + Math.max(0, config.jobs().maxQueued()));
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "imagefn-jobs");
            t.setDaemon(true);
            return t;
        });
        long renew = Math.max(100, config.jobs().lease().toMillis() / 3);
        timer.scheduleWithFixedDelay(this::renewLeases, renew, renew, TimeUnit.MILLISECONDS);
    }

    /** Who holds a new job: this instance. */
    String instance() {
        return instance;
    }

    long leaseUntil() {
        return System.currentTimeMillis() + config.jobs().lease().toMillis();
    }

    boolean holds(String owner, String id) {
        return held.contains(new Ref(owner, id));
    }

    /**
     * Room here for one more job, or 429 {@code too_many_queued_jobs} when this instance's queue is full; the room
     * is given back when the job's run ends, or when the place is closed without a job dispatched into it.
     */
    JobDispatch.Place reservePlace() {
        if (!places.tryAcquire()) {
            throw new ImagesApiException(429, "requests", null, "too_many_queued_jobs", "This server has "
                    + config.jobs().maxQueued() + " jobs waiting, its maximum. Retry shortly.", KeyQueues.RETRY_AFTER);
        }
        return new Room();
    }

    /** A permit of {@link #places}, given back once. */
    private final class Room implements JobDispatch.Place {
        private final java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(
                true);
        private volatile boolean dispatched;

        void dispatched() {
            dispatched = true;
        }

        void free() {
            if (held.compareAndSet(true, false)) {
                places.release();
            }
        }

        @Override
        public void close() {
            if (!dispatched) {
                free();
            }
        }
    }

    /**
     * Queues a job here in the {@code place} reserved for it; it runs when a thread frees, if this instance still
     * holds it (or its lease ran out).
     */
    void submit(String owner, String id, JobDispatch.Place place) {
        Ref ref = new Ref(owner, id);
        Room room = place instanceof Room r ? r : null;
        if (!held.add(ref)) {
            place.close();
            return;
        }
        if (room != null) {
            room.dispatched();
        }
        pool.execute(() -> {
            try {
                run(ref);
            } finally {
                if (room != null) {
                    room.free();
                }
            }
        });
    }

    private void renewLeases() {
        for (Ref ref : held) {
            try {
                store.update(ref.owner(), ref.id(), r -> !r.finished() && instance.equals(r.holder())
                        ? r.held(instance, leaseUntil()) : null);
            } catch (RuntimeException e) {
                Log.warnf("Lease of job %s not renewed: %s", ref.id(), Redaction.forLog(e.getMessage()));
            }
        }
    }

    private void run(Ref ref) {
        try {
            if (stopping) {
                // not started here: left queued for the next instance that reads it after its lease
                return;
            }
            runClaimed(ref.owner(), ref.id(), instance);
        } finally {
            held.remove(ref);
        }
    }

    /**
     * Runs a job on the calling thread, as a platform's worker does (a Lambda invoke, a CloudEvent): claimed if its
     * record names {@code token} as holder or its lease has lapsed, its lease renewed while it runs. A job finished
     * or held by a live run elsewhere is left alone (a redelivered event is a no-op).
     *
     * @return the job as it stands afterwards, or empty when it does not exist
     */
    public Optional<JobRecord> runHere(String owner, String id, String token) {
        Ref ref = new Ref(owner, id);
        held.add(ref);
        try {
            runClaimed(owner, id, token);
        } finally {
            held.remove(ref);
        }
        return store.read(owner, id).map(JobStore.Versioned::job);
    }

    /**
     * Marks a job failed because its platform gave up on it (a Lambda OnFailure destination, a Knative dead letter),
     * unless it finished meanwhile.
     */
    public Optional<JobRecord> failFromPlatform(String owner, String id, String message) {
        finish(owner, id, r -> r.failed(now(), new ErrorBody.Error(message, "api_error", null, "job_worker_failed"),
                500), Webhooks.FAILED);
        // the worker may have died during its paid call: the reservation counts as spent, not given back
        admission.settleJobAtReserved(owner, id);
        return store.read(owner, id).map(JobStore.Versioned::job);
    }

    /** Waits (up to two minutes) for the webhook deliveries under way, where the process may freeze after. */
    public void drainWebhooks() {
        webhooks.awaitIdle(java.time.Duration.ofMinutes(2));
    }

    private void runClaimed(String owner, String id, String token) {
        Ref ref = new Ref(owner, id);
        try {
            Optional<JobRecord> claimed = store.update(ref.owner(), ref.id(), r -> {
                boolean mine = instance.equals(r.holder()) || token.equals(r.holder());
                if (r.finished() || (!mine && r.leaseUntil() > System.currentTimeMillis())) {
                    return null;
                }
                if (!mine) {
                    Log.warnf("Job %s: its worker's lease ran out; taking it over", r.id());
                }
                return r.started(System.currentTimeMillis() / 1000).held(instance, leaseUntil());
            });
            if (claimed.isEmpty()) {
                return;
            }
            JobRecord job = claimed.get();
            if (job.cancelRequested()) {
                // asked to cancel before the upstream call started: nothing is paid (ended() gives the reservation back)
                finish(job, r -> r.cancelled(now()), Webhooks.CANCELLED);
                return;
            }
            announce(job, Webhooks.STARTED);
            execute(job);
        } catch (RuntimeException e) {
            Log.warnf("Job %s could not be run here (it is taken over after its lease): %s", ref.id(),
                    Redaction.forLog(e.getMessage()));
        }
    }

    private void execute(JobRecord job) {
        Origin origin = new Origin(Binding.JOB, job.owner(), job.id());
        ImagesResponse response;
        try {
            response = switch (job.operation()) {
                case "generate" -> pipeline.generate(GenerateRequest.fromJson(job.request()), origin);
                case "edit" -> pipeline.edit(EditRequest.fromJson(job.request()), origin);
                case "variation" -> pipeline.variation(VariationRequest.fromJson(job.request()), origin);
                default -> throw new IllegalStateException("unknown operation " + job.operation());
            };
        } catch (ImagesApiException e) {
            if ("idempotency_key_in_progress".equals(e.code())) {
                // another run of this job (an instance that died mid-call, or one still running) holds the paid
                // call: leave the job to whichever run gets the key when that claim lapses
                Log.infof("Job %s: its paid call is held by another run; leaving it to that run", job.id());
                return;
            }
            finish(job, r -> r.failed(now(), e.body().error(), e.status()), Webhooks.FAILED);
            // a paid call settled the reservation itself; one still held was never admitted to a call
            admission.releaseJob(job.owner(), job.id());
            return;
        } catch (RuntimeException e) {
            Log.warnf("Job %s failed: %s", job.id(), Redaction.forLog(String.valueOf(e.getMessage())));
            finish(job, r -> r.failed(now(), new ErrorBody.Error("The server had an error while processing the job.",
                    "api_error", null, "internal_error"), 500), Webhooks.FAILED);
            return;
        }
        Optional<IdempotencyRecord.Result> stored = idempotency.completed(job.id(), job.owner(), job.operation());
        if (stored.isEmpty()) {
            // the answer carried images the store refused (they went inline): a job keeps URLs only
            finish(job, r -> r.failed(now(), new ErrorBody.Error("The images were produced but the object store "
                    + "refused them, so the job could not keep them.", "api_error", null, "storage_unavailable"), 503),
                    Webhooks.FAILED);
            return;
        }
        finish(job, r -> r.completed(now(), stored.get(), response.estimatedCost()), Webhooks.COMPLETED);
    }

    private void finish(JobRecord job, UnaryOperator<JobRecord> change, String event) {
        finish(job.owner(), job.id(), change, event);
    }

    /** Applies a terminal change unless the job finished meanwhile, then {@link #ended} it. */
    private void finish(String owner, String id, UnaryOperator<JobRecord> change, String event) {
        store.update(owner, id, r -> r.finished() ? null : change.apply(r)).ifPresent(r -> ended(r, event));
    }

    /**
     * A job just finished: its key's queue place is given back (with its reservation when it was cancelled before its
     * call: nothing was paid) and its webhook told.
     */
    void ended(JobRecord job, String event) {
        try {
            queues.leave(job.owner(), job.id());
            if (Webhooks.CANCELLED.equals(event)) {
                admission.releaseJob(job.owner(), job.id());
            }
        } catch (RuntimeException e) {
            // its entry is dropped the next time its key is full, once the job is read as finished
            Log.warnf("Job %s: its queue place was not given back: %s", job.id(), Redaction.forLog(e.getMessage()));
        }
        announce(job, event);
    }

    void announce(JobRecord job, String event) {
        webhooks.announce(job, event, () -> views.view(job));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /**
     * Lets running jobs finish within the shutdown grace and write their records; jobs still queued here do not start
     * and are left to their leases (the next instance that reads them takes them over). Done when the application
     * stops, before any bean is destroyed: the storage a finishing job writes to, the embedded S3 server included,
     * is still up.
     */
    void stop(@Observes ShutdownEvent stopping) {
        stop();
    }

    @PreDestroy
    synchronized void stop() {
        if (pool.isShutdown()) {
            return;
        }
        stopping = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(config.jobs().shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                Log.warnf("%d job(s) still running at shutdown; they are taken over after their leases",
                        pool.getActiveCount());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
    }

    /** For tests and the operability page: jobs queued or running here. */
    public Map<String, Integer> load() {
        return Map.of("running", pool.getActiveCount(), "queued", pool.getQueue().size());
    }
}
