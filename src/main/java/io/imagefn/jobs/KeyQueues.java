package io.imagefn.jobs;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImagesApiException;
import io.imagefn.limits.KeyRegistry;
import io.imagefn.storage.RecordStore;
import io.imagefn.storage.StorageException;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The jobs each API key has not finished yet (queued or running), counted across instances: one small record per key
 * ({@code jobqueues/<owner digest>}) lists them and changes only by conditional writes, so that two instances taking
 * the same key's jobs at once cannot both take its last place. A job enters before it is written and leaves when it
 * finishes. An entry whose job finished without leaving (its instance stopped at that moment) or whose record has
 * expired is dropped the next time the key is full, after reading that job.
 */
@ApplicationScoped
public class KeyQueues {

    /** How long a refused caller is asked to wait: jobs take from seconds to minutes. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final RecordStore records;
    private final JobStore jobs;
    private final ObjectMapper json;
    private final KeyRegistry keys;
    private final int max;
    /** Serialized in this process too: some S3-compatible servers check a condition without a lock (see Idempotency). */
    private final Lock[] locks = java.util.stream.IntStream.range(0, 64).mapToObj(i -> new ReentrantLock())
            .toArray(Lock[]::new);

    public KeyQueues(ImagefnConfig config, RecordStore records, JobStore jobs, ObjectMapper json, KeyRegistry keys) {
        this.keys = keys;
        this.records = records;
        this.jobs = jobs;
        this.json = json;
        this.max = Math.max(1, config.jobs().maxQueuedPerKey());
    }

    /** A key's unfinished jobs, as its record holds them. */
    @RegisterForReflection
    public record Entries(List<String> jobs) {
    }

    /**
     * Takes a place for job {@code id} in its key's queue.
     *
     * @throws ImagesApiException 429 {@code too_many_queued_jobs} when the key has its maximum unfinished: its own
     *         {@code max_queued_jobs} in the keys document, else {@code imagefn.jobs.max-queued-per-key}
     */
    void enter(String owner, String id) {
        int max = keys.of(owner).maxQueuedJobs().orElse(this.max);
        change(owner, current -> {
            if (current.contains(id)) {
                return null;
            }
            List<String> live = current.size() < max ? current : unfinished(owner, current);
            if (live.size() >= max) {
                throw full(max);
            }
            List<String> next = new ArrayList<>(live);
            next.add(id);
            return next;
        });
    }

    /** Gives job {@code id}'s place back (it finished, or was never written); a job not listed is fine. */
    void leave(String owner, String id) {
        change(owner, current -> {
            if (!current.contains(id)) {
                return null;
            }
            List<String> next = new ArrayList<>(current);
            next.remove(id);
            return next;
        });
    }

    /** The key's jobs that are still queued or running: the others left without being taken off. */
    private List<String> unfinished(String owner, List<String> listed) {
        return listed.stream().filter(id -> jobs.read(owner, id).map(v -> !v.job().finished()).orElse(false))
                .toList();
    }

    /** Applies {@code change} over the key's current record until a conditional write of it lands. */
    private void change(String owner, UnaryOperator<List<String>> change) {
        String name = "jobqueues/" + JobStore.ownerDigest(owner);
        Lock lock = locks[Math.floorMod(name.hashCode(), locks.length)];
        lock.lock();
        try {
            for (int attempt = 0; attempt < 20; attempt++) {
                Optional<RecordStore.Record> current = records.readRecord(name);
                List<String> listed = current.map(r -> read(r.body()).jobs()).orElse(List.of());
                List<String> next = change.apply(listed);
                if (next == null) {
                    return;
                }
                byte[] body = write(new Entries(List.copyOf(next)));
                if (records.writeRecord(name, body, current.map(RecordStore.Record::etag).orElse(null))
                        .isPresent()) {
                    return;
                }
            }
            throw new StorageException("the job queue of a key kept changing under 20 conditional writes", null);
        } finally {
            lock.unlock();
        }
    }

    private static ImagesApiException full(int max) {
        return new ImagesApiException(429, "requests", null, "too_many_queued_jobs", "This API key has " + max
                + " jobs queued or running, its maximum. Retry once one of them has finished.", RETRY_AFTER);
    }

    private Entries read(byte[] body) {
        try {
            Entries e = json.readValue(body, Entries.class);
            return e.jobs() == null ? new Entries(List.of()) : e;
        } catch (IOException e) {
            throw new StorageException("unreadable job queue record: " + e.getMessage(), e);
        }
    }

    private byte[] write(Entries entries) {
        try {
            return json.writeValueAsBytes(entries);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a job queue record", e);
        }
    }
}
