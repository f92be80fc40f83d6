package io.imagefn.jobs;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.Sha256;
import io.imagefn.storage.RecordStore;
import io.imagefn.storage.StorageException;

/**
 * Jobs in the bucket: one record per job under its owner's folder ({@code records/jobs/<owner digest>/<id>}), so that a
 * caller can only ever name its own jobs, and a listing of the folder is newest first (ids begin with an inverted
 * time). Every change is a conditional write over the version read ({@code If-Match}), retried on a lost race.
 */
@ApplicationScoped
public class JobStore {

    private final RecordStore records;
    private final ObjectMapper json;
    private final Lock[] aliases = java.util.stream.IntStream.range(0, 64)
            .mapToObj(i -> new java.util.concurrent.locks.ReentrantLock()).toArray(Lock[]::new);

    public JobStore(RecordStore records, ObjectMapper json) {
        this.records = records;
        this.json = json;
    }

    /** A job and the version it was read at. */
    public record Versioned(JobRecord job, String etag) {
    }

    public Optional<Versioned> read(String owner, String id) {
        if (!JobIds.valid(id)) {
            return Optional.empty();
        }
        return records.readRecord(name(owner, id)).map(r -> new Versioned(parse(r.body()), r.etag()));
    }

    /** Writes a new job; false when one with its id exists already. */
    public boolean create(JobRecord job) {
        return records.writeRecord(name(job.owner(), job.id()), write(job), null).isPresent();
    }

    /**
     * Applies {@code change} to the current version until a write of it lands; {@code change} answers null to leave
     * the job as it is.
     *
     * @return the job as written, or empty when it is gone or {@code change} declined
     */
    public Optional<JobRecord> update(String owner, String id, UnaryOperator<JobRecord> change) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<Versioned> current = read(owner, id);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            JobRecord next = change.apply(current.get().job());
            if (next == null) {
                return Optional.empty();
            }
            if (records.writeRecord(name(owner, id), write(next), current.get().etag()).isPresent()) {
                return Optional.of(next);
            }
        }
        throw new StorageException("job " + id + " kept changing under 20 conditional writes", null);
    }

    /** The owner's job ids, newest first, after {@code after} (an id) when given. */
    public List<String> list(String owner, String after, int max) {
        String folder = folder(owner);
        return records.listRecords(folder, after == null || !JobIds.valid(after) ? null : folder + after, max)
                .stream().map(n -> n.substring(folder.length())).toList();
    }

    /**
     * The job created earlier for a caller's idempotency key (and the request it was made for), or empty after this
     * call made {@code id} that job: the first writer of the key's alias wins, across instances.
     */
    public Optional<KeyAlias> claimKey(String owner, String function, String key, String id, String fingerprint) {
        String alias = alias(owner, function, key);
        byte[] body = write(new KeyAlias(id, fingerprint));
        // serialized in this process too: some S3-compatible servers check If-None-Match without a lock
        // (see Idempotency)
        Lock lock = aliases[Math.floorMod(alias.hashCode(), aliases.length)];
        lock.lock();
        try {
            if (records.writeRecord(alias, body, null).isPresent()) {
                return Optional.empty();
            }
        } finally {
            lock.unlock();
        }
        return Optional.of(keyAlias(owner, function, key)
                .orElseThrow(() -> new StorageException("job key record vanished", null)));
    }

    /** The job an idempotency key made earlier, if any (read only: nothing is claimed). */
    public Optional<KeyAlias> keyAlias(String owner, String function, String key) {
        return records.readRecord(alias(owner, function, key)).map(r -> aliasOf(r.body()));
    }

    /**
     * Frees an idempotency key whose job was never written (its submission was refused after the claim), so that the
     * caller's retry with it is a new submission; a key that names another job by now is left alone.
     */
    public void releaseKey(String owner, String function, String key, String id) {
        String alias = alias(owner, function, key);
        records.readRecord(alias).filter(r -> id.equals(aliasOf(r.body()).id()))
                .ifPresent(r -> records.deleteRecord(alias, r.etag()));
    }

    private KeyAlias aliasOf(byte[] body) {
        try {
            return json.readValue(body, KeyAlias.class);
        } catch (IOException e) {
            throw new StorageException("unreadable job key record: " + e.getMessage(), e);
        }
    }

    private static String alias(String owner, String function, String key) {
        return "jobkey_" + Sha256.hex(owner + "\n" + function + "\n" + key);
    }

    /** Which job an idempotency key made, and the request it was made for. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record KeyAlias(String id, String fingerprint) {
    }

    private static String folder(String owner) {
        return "jobs/" + ownerDigest(owner) + "/";
    }

    /** The name a caller's job records go under: a digest, so another caller cannot name them. */
    static String ownerDigest(String owner) {
        return HexFormat.of().formatHex(Sha256.of("imagefn-job-owner\n" + owner), 0, 16);
    }

    private static String name(String owner, String id) {
        return folder(owner) + id;
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a job record", e);
        }
    }

    private JobRecord parse(byte[] body) {
        try {
            return json.readValue(body, JobRecord.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException("unreadable job record: " + e.getMessage(), e);
        }
    }
}
