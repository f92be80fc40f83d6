package io.imagefn.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.config.SecretValues;
import io.imagefn.images.ImageModel;
import io.imagefn.images.Sha256;
import io.imagefn.storage.ImageStore;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

/**
 * The API keys and what each may do: the keys document ({@code IMAGEFN_LIMITS_KEYS_FILE}, a mounted Kubernetes
 * Secret, or {@code IMAGEFN_LIMITS_KEYS_SECRET}, Secrets Manager), read at startup and again every
 * {@code imagefn.limits.reload}; and the {@code IMAGEFN_API_KEYS} keys, which have no limits. A document that cannot
 * be used stops the startup, naming the entry and field; one that becomes unusable later is ignored, the last good one
 * kept, and said at ERROR on every read. Keys are held as SHA-256 digests only.
 */
@Startup
@ApplicationScoped
public class KeyRegistry {

    private final ImagefnConfig config;
    private final ObjectMapper json;
    private final Map<String, KeyLimits> plainKeys;
    private final ScheduledExecutorService reloads;
    private volatile Loaded loaded;
    /** When the document was last read (System.nanoTime), to notice a reload the platform kept from running. */
    private volatile long readAt = System.nanoTime();
    private final java.util.concurrent.locks.ReentrantLock reading = new java.util.concurrent.locks.ReentrantLock();

    /** The document as last read, by digest, and the bytes it was read from (to notice a change). */
    private record Loaded(Map<String, KeyLimits> byDigest, Optional<KeyLimits> unauthenticated, byte[] source) {
    }

    public KeyRegistry(ImagefnConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        Map<String, KeyLimits> plain = new HashMap<>();
        List<String> keys = config.apiKeys().orElse(List.of()).stream().map(String::trim).filter(k -> !k.isEmpty())
                .toList();
        for (int i = 0; i < keys.size(); i++) {
            String digest = HexFormat.of().formatHex(Sha256.of(keys.get(i)));
            plain.put(digest, KeyLimits.none("api-key-" + (i + 1), digest));
        }
        this.plainKeys = Map.copyOf(plain);
        if (document().isPresent()) {
            checkLease(config);
            this.loaded = read().orElseThrow();
            this.readAt = System.nanoTime();
            Log.infof("Limits: %d key(s) with limits from %s%s", loaded.byDigest().size(), source(),
                    loaded.unauthenticated().isPresent() ? ", and limits for callers without a key" : "");
            this.reloads = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "imagefn-keys-reload");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1000, config.limits().reload().toMillis());
            reloads.scheduleWithFixedDelay(() -> {
                reading.lock();
                try {
                    reload();
                } finally {
                    reading.unlock();
                }
            }, every, every, TimeUnit.MILLISECONDS);
        } else {
            this.loaded = new Loaded(Map.of(), Optional.empty(), new byte[0]);
            this.reloads = null;
        }
    }

    /**
     * A reservation outlives its instance by its lease, so the lease must outlast any call that may still be paid:
     * every attempt at its timeout, and the longest waits between them. Refused at startup otherwise.
     */
    static void checkLease(ImagefnConfig config) {
        ImagefnConfig.Upstream up = config.upstream();
        long attempts = up.retry().maxRetries() + 1L;
        java.time.Duration longest = java.time.Duration.ofSeconds(up.timeoutSeconds()).multipliedBy(attempts)
                .plus(up.retry().maxRetryAfter().multipliedBy(up.retry().maxRetries()));
        if (config.limits().reservationLease().compareTo(longest) < 0) {
            throw new IllegalStateException("imagefn.limits.reservation-lease (" + config.limits().reservationLease()
                    + ") is shorter than the longest an upstream call may take and still be paid (" + longest
                    + ": " + attempts + " attempts of imagefn.upstream.timeout-seconds and the waits between them); "
                    + "a reservation could lapse while its call is paid");
        }
    }

    @PreDestroy
    void stop() {
        if (reloads != null) {
            reloads.shutdownNow();
        }
    }

    /** Whether any key is configured: then every paid path needs one. */
    public boolean keysRequired() {
        return !plainKeys.isEmpty() || !current().byDigest().isEmpty();
    }

    /**
     * The document in force. A Lambda instance is frozen between invocations, its reload timer with it: a document
     * last read more than two reload periods ago (a thawed or restored instance) is read again before it is used, so
     * that a revoked key or a lowered budget applies within a period of the change on every platform.
     */
    private Loaded current() {
        long every = Math.max(1000, config.limits().reload().toMillis());
        if (reloads != null && System.nanoTime() - readAt > TimeUnit.MILLISECONDS.toNanos(2 * every)
                && reading.tryLock()) {
            try {
                if (System.nanoTime() - readAt > TimeUnit.MILLISECONDS.toNanos(2 * every)) {
                    reload();
                }
            } finally {
                reading.unlock();
            }
        }
        return loaded;
    }

    /** Whether {@code digest} (the SHA-256 of a presented key) is a key, compared in constant time with each one. */
    public boolean isKey(byte[] digest) {
        boolean match = false;
        for (String known : plainKeys.keySet()) {
            match |= MessageDigest.isEqual(digest, HexFormat.of().parseHex(known));
        }
        for (String known : current().byDigest().keySet()) {
            match |= MessageDigest.isEqual(digest, HexFormat.of().parseHex(known));
        }
        return match;
    }

    /**
     * What the owner of a request may do: an owner {@code key:<digest>} is that key's entry (none for an
     * {@code IMAGEFN_API_KEYS} key); a caller without a key gets the document's {@code unauthenticated} entry, or none.
     */
    public KeyLimits of(String owner) {
        Loaded loaded = current();
        if (owner != null && owner.startsWith("key:")) {
            String digest = owner.substring(4);
            KeyLimits limits = loaded.byDigest().get(digest);
            return limits != null ? limits : plainKeys.getOrDefault(digest, KeyLimits.none("unknown-key", digest));
        }
        if (owner != null && !owner.equals(ImageStore.ANONYMOUS)) {
            return KeyLimits.none(KeyLimits.UNAUTHENTICATED, null);
        }
        return loaded.unauthenticated().orElseGet(() -> KeyLimits.none(KeyLimits.UNAUTHENTICATED, null));
    }

    private Optional<String> document() {
        return config.limits().keysFile().map(p -> "file").or(() -> config.limits().keysSecret().map(s -> "secret"));
    }

    private String source() {
        return config.limits().keysFile().map(p -> "IMAGEFN_LIMITS_KEYS_FILE " + p)
                .orElseGet(() -> "IMAGEFN_LIMITS_KEYS_SECRET " + config.limits().keysSecret().orElse(""));
    }

    /** Reads and parses the document; at startup a failure stops it, later it is said and the old one kept. */
    private Optional<Loaded> read() {
        byte[] bytes;
        try {
            bytes = config.limits().keysFile().isPresent() ? Files.readAllBytes(config.limits().keysFile().get())
                    : SecretValues.read(config, "IMAGEFN_LIMITS_KEYS_SECRET", config.limits().keysSecret().get(),
                            "keys document", loaded == null).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(source() + " cannot be read: " + e.getMessage(), e);
        }
        if (loaded != null && java.util.Arrays.equals(bytes, loaded.source())) {
            return Optional.empty();
        }
        KeyDocument document;
        try {
            document = KeyDocument.parse(bytes, json, this::servedModel);
        } catch (KeyDocument.Invalid e) {
            throw new IllegalStateException(source() + ": " + e.getMessage());
        }
        Map<String, KeyLimits> byDigest = new HashMap<>();
        document.keys().forEach(k -> byDigest.put(k.sha256(), k));
        return Optional.of(new Loaded(Map.copyOf(byDigest), document.unauthenticated(), bytes));
    }

    private boolean servedModel(String name) {
        return ImageModel.known(name).isPresent() || config.upstream().allowUnknownModels();
    }

    /** Reads the document again now (after a SnapStart restore); a failure keeps the last good one, said at ERROR. */
    public void reloadNow() {
        if (reloads != null) {
            reading.lock();
            try {
                reload();
            } finally {
                reading.unlock();
            }
        }
    }

    private void reload() {
        try {
            read().ifPresent(next -> {
                loaded = next;
                Log.infof("Limits: the keys document changed; %d key(s) with limits now", next.byDigest().size());
            });
        } catch (RuntimeException e) {
            Log.errorf("Limits: %s; the last good keys document stays in force", e.getMessage());
        } finally {
            // tried: a failing source is tried again next period, not on every request
            readAt = System.nanoTime();
        }
    }
}
