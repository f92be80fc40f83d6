package io.imagefn.idempotency;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImageRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.Sha256;
import io.imagefn.images.ImagesResponse;
import io.imagefn.storage.RecordStore;
import io.imagefn.storage.StorageException;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;

/**
 * Runs a request at most once per idempotency key, so a retried or redelivered request never pays for its images
 * twice. The first request claims the key with a conditional create in the bucket ({@code If-None-Match: *}); when its
 * images are stored the claim becomes a record of them, and every duplicate is answered from it with fresh signed
 * URLs, without an upstream call. Duplicates that arrive while the first still runs wait for it (up to
 * {@code imagefn.idempotency.max-wait}). A claim carries a lease: if its holder dies, the next duplicate after the
 * lease takes the key over ({@code If-Match} on the stale claim).
 *
 * <p>The conditional writes make this safe across instances on a store where they are atomic (AWS S3, and most
 * S3-compatible servers). S3Proxy's filesystem backend checks {@code If-None-Match} without a lock (two winners in 1
 * of 40 rounds of 16 racing PUTs, measured here), so claims for the same key are also serialized inside each process.
 */
@ApplicationScoped
public class Idempotency {

    private final Replays replays;
    private final RecordStore records;
    private final ObjectMapper json;
    private final ImagefnConfig config;
    /** Claims for one record name are serialized in this process: a name maps to one of these locks. */
    private final Lock[] claims = java.util.stream.IntStream.range(0, 64)
            .mapToObj(i -> new java.util.concurrent.locks.ReentrantLock()).toArray(Lock[]::new);

    public Idempotency(Replays replays, RecordStore records, ObjectMapper json, ImagefnConfig config) {
        this.replays = replays;
        this.records = records;
        this.json = json;
        this.config = config;
    }

    /** What happened to a request under a key: run for the first time, or answered from the record. */
    public enum Answer {
        FIRST,
        REPLAYED
    }

    /** The response and whether it was replayed. */
    public record Outcome(ImagesResponse response, Answer answer) {
    }

    /**
     * @param key         the caller's idempotency key; empty runs {@code work} as is
     * @param scope       the caller's key space (keys of different callers never meet)
     * @param fingerprint digest of the request; the same key with another fingerprint is refused with 409
     * @param inline      whether the caller asked for {@code b64_json}, for answering duplicates
     */
    public Outcome once(Optional<String> key, String scope, String function, String fingerprint, boolean inline,
            Supplier<StoredResponse> work) {
        if (key.isEmpty()) {
            return new Outcome(work.get().response(), Answer.FIRST);
        }
        String name = recordName(check(key.get()), scope, function);
        long deadline = System.nanoTime() + config.idempotency().maxWait().toNanos();
        long pause = 50;
        String holder = UUID.randomUUID().toString();
        while (true) {
            Claim claim = claimOrRead(name, fingerprint, holder);
            if (claim.owned()) {
                return new Outcome(runAsHolder(name, claim.etag(), fingerprint, holder, work), Answer.FIRST);
            }
            IdempotencyRecord existing = claim.existing();
            if (IdempotencyRecord.DONE.equals(existing.state())) {
                Optional<ImagesResponse> replay = replayOrUnavailable(existing.result(), inline);
                if (replay.isPresent()) {
                    return new Outcome(replay.get(), Answer.REPLAYED);
                }
                // its images are gone: the record has outlived them, so the request runs again
                Optional<String> taken = takeOver(name, claim.etag(), fingerprint, holder);
                if (taken.isPresent()) {
                    return new Outcome(runAsHolder(name, taken.get(), fingerprint, holder, work), Answer.FIRST);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, "idempotency_key",
                        "idempotency_key_in_progress", "A request with this idempotency key is still being processed. "
                                + "Retry later to get its result.", Duration.ofSeconds(5));
            }
            sleep(pause);
            pause = Math.min(1000, pause * 2);
        }
    }

    private record Claim(boolean owned, String etag, IdempotencyRecord existing) {
    }

    /** Claims the key, or reads who holds it; a pending claim past its lease, or an expired record, is taken over. */
    private Claim claimOrRead(String name, String fingerprint, String holder) {
        Lock lock = claims[Math.floorMod(name.hashCode(), claims.length)];
        lock.lock();
        try {
            Optional<RecordStore.Record> current = records.readRecord(name);
            if (current.isEmpty()) {
                return records.writeRecord(name, pending(fingerprint, holder), null)
                        .map(etag -> new Claim(true, etag, null)).orElseGet(() -> readClaim(name, fingerprint, holder));
            }
            IdempotencyRecord existing = parse(current.get().body());
            long now = System.currentTimeMillis();
            boolean expired = now - existing.createdAt() > config.idempotency().ttl().toMillis();
            boolean abandoned = IdempotencyRecord.PENDING.equals(existing.state()) && now > existing.leaseUntil();
            if (expired || abandoned) {
                if (abandoned) {
                    Log.warnf("Idempotency record %s: its holder's lease ran out; taking it over", name);
                }
                return records.writeRecord(name, pending(fingerprint, holder), current.get().etag())
                        .map(etag -> new Claim(true, etag, null)).orElseGet(() -> readClaim(name, fingerprint, holder));
            }
            if (!existing.fingerprint().equals(fingerprint)) {
                throw reused();
            }
            return new Claim(false, current.get().etag(), existing);
        } catch (StorageException e) {
            throw unavailable(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A conditional write was refused: read who holds the record. That may be this very request, when its write
     * landed but the answer was lost and a retry of it was refused.
     */
    private Claim readClaim(String name, String fingerprint, String holder) {
        return records.readRecord(name).map(r -> {
            IdempotencyRecord existing = parse(r.body());
            if (holder.equals(existing.holder())) {
                return new Claim(true, r.etag(), null);
            }
            if (!existing.fingerprint().equals(fingerprint)) {
                throw reused();
            }
            return new Claim(false, r.etag(), existing);
        }).orElseGet(() -> new Claim(false, null, new IdempotencyRecord(IdempotencyRecord.PENDING, fingerprint, null,
                Long.MAX_VALUE, System.currentTimeMillis(), null)));
    }

    private Optional<String> takeOver(String name, String etag, String fingerprint, String holder) {
        Lock lock = claims[Math.floorMod(name.hashCode(), claims.length)];
        lock.lock();
        try {
            Optional<String> taken = records.writeRecord(name, pending(fingerprint, holder), etag);
            return taken.isPresent() ? taken : Optional.ofNullable(readClaim(name, fingerprint, holder))
                    .filter(Claim::owned).map(Claim::etag);
        } catch (StorageException e) {
            throw unavailable(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the request as the key's holder. When every image is stored the claim becomes the record duplicates are
     * answered from; otherwise (a failure, or images handed back inline) the claim is released, so a retry runs again.
     */
    private ImagesResponse runAsHolder(String name, String etag, String fingerprint, String holder,
            Supplier<StoredResponse> work) {
        StoredResponse done;
        try {
            done = work.get();
        } catch (RuntimeException e) {
            release(name, holder);
            throw e;
        }
        if (!done.allStored()) {
            release(name, holder);
            return done.response();
        }
        try {
            byte[] record = write(new IdempotencyRecord(IdempotencyRecord.DONE, fingerprint, holder, 0,
                    System.currentTimeMillis(), Replays.result(done)));
            if (records.writeRecord(name, record, etag).isEmpty()
                    && !records.readRecord(name).map(r -> parse(r.body())).filter(r -> holder.equals(r.holder())
                            && IdempotencyRecord.DONE.equals(r.state())).isPresent()) {
                Log.warnf("Idempotency record %s was taken over while its request ran; kept the newer one", name);
            }
        } catch (RuntimeException e) {
            // the caller still gets its images; without the record a duplicate runs again rather than waiting for
            // a claim that would never complete
            Log.warnf("Idempotency record %s could not be completed: %s", name, Redaction.forLog(e.getMessage()));
            release(name, holder);
        }
        return done.response();
    }

    /**
     * Gives the key up, if this request still holds it: a holder whose lease ran out may have been replaced, and
     * deleting the newer holder's claim or record would let a third request pay again. The delete is conditional on
     * the version read ({@code If-Match}), so a takeover between the read and the delete is not undone either.
     */
    private void release(String name, String holder) {
        try {
            Optional<RecordStore.Record> current = records.readRecord(name);
            if (current.isPresent() && holder.equals(parse(current.get().body()).holder())) {
                records.deleteRecord(name, current.get().etag());
            }
        } catch (StorageException e) {
            Log.warnf("Idempotency claim %s could not be released (it lapses with its lease): %s", name, Redaction.forLog(e.getMessage()));
        }
    }

    private Optional<ImagesResponse> replayOrUnavailable(IdempotencyRecord.Result result, boolean inline) {
        try {
            return replays.replay(result, inline);
        } catch (StorageException e) {
            throw unavailable(e);
        }
    }

    private byte[] pending(String fingerprint, String holder) {
        long now = System.currentTimeMillis();
        return write(new IdempotencyRecord(IdempotencyRecord.PENDING, fingerprint, holder,
                now + config.idempotency().lease().toMillis(), now, null));
    }

    private byte[] write(IdempotencyRecord record) {
        try {
            return json.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an idempotency record", e);
        }
    }

    private IdempotencyRecord parse(byte[] body) {
        try {
            return json.readValue(body, IdempotencyRecord.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException("unreadable idempotency record: " + e.getMessage(), e);
        }
    }

    private static String check(String key) {
        if (!ImageRules.isIdempotencyKey(key)) {
            throw ImagesApiException.invalid("idempotency_key", "invalid_value",
                    "Invalid idempotency key: expected 1 to 255 printable ASCII characters without spaces.");
        }
        return key;
    }

    /**
     * What a completed request under {@code key} stored (its images' ids and keys), or empty when there is no
     * completed record: a job reads its own result this way, never from an answer that may carry base64.
     */
    public Optional<IdempotencyRecord.Result> completed(String key, String scope, String function) {
        return records.readRecord(recordName(key, scope, function)).map(r -> parse(r.body()))
                .filter(r -> IdempotencyRecord.DONE.equals(r.state())).map(IdempotencyRecord::result);
    }

    /** The record's object name (under {@code <key-prefix>records/}) for a key of a caller and function. */
    public static String recordName(String key, String scope, String function) {
        return "idem_" + Sha256.hex(scope + "\n" + function + "\n" + key);
    }

    private static ImagesApiException reused() {
        return new ImagesApiException(409, ImagesApiException.INVALID_REQUEST, "idempotency_key",
                "idempotency_key_reused", "This idempotency key was already used with a different request. Use a new "
                        + "key for a new request.", null);
    }

    private static ImagesApiException unavailable(StorageException e) {
        Log.warnf("Idempotency records unavailable: %s", Redaction.forLog(e.getMessage()));
        return new ImagesApiException(503, "api_error", null, "idempotency_store_unavailable",
                "The object store that keeps idempotency records cannot be reached, so this request cannot be run "
                        + "safely once. Retry shortly.", Duration.ofSeconds(5));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an idempotent request", e);
        }
    }
}
