package io.imagefn.storage;

import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;


import io.imagefn.config.ImagefnConfig;
import io.imagefn.observe.StorageWrite;
import io.imagefn.observe.Telemetry;
import io.imagefn.images.ImageBytes;
import io.imagefn.images.ImageFormat;
import io.imagefn.images.Sha256;
import io.imagefn.storage.S3Clients.Clients;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Writes images to the bucket under unguessable keys, each with its owner, reads them back by id, and hands out
 * presigned GET URLs. The S3 clients are {@link S3Clients}'.
 */
@ApplicationScoped
public class ImageStore {

    /** SigV4 presigned URLs cannot outlive 7 days. */
    public static final Duration MAX_URL_TTL = Duration.ofDays(7);

    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    // an instance field, made when the bean is (at runtime: a native image initializes static state at build time,
    // and a generator seeded then would be shared by every process), and replaced after a SnapStart restore
    private volatile SecureRandom random = new SecureRandom();
    private static final Pattern ID_PATTERN = Pattern.compile("img_[a-z2-7]{26}");
    /** The object metadata naming who stored an image; an image stored before it existed counts as anonymous's. */
    private static final String OWNER = "imagefn-owner";
    /** The owner of every image when callers are not told apart (no API keys). */
    public static final String ANONYMOUS = "anonymous";

    private final ImagefnConfig config;
    private final S3Clients clients;
    private final Telemetry telemetry;

    public ImageStore(ImagefnConfig config, S3Clients clients, Telemetry telemetry) {
        this.config = config;
        this.clients = clients;
        this.telemetry = telemetry;
        if (config.urlTtl().compareTo(MAX_URL_TTL) > 0 || config.urlTtl().isNegative() || config.urlTtl().isZero()) {
            throw new IllegalArgumentException("imagefn.url-ttl must be between 1s and 7d (SigV4 limit), not "
                    + config.urlTtl());
        }
    }

    /** A stored image and a signed URL to it. */
    public record StoredImage(String id, String key, URI url, Instant expiresAt) {
    }

    /**
     * Stores the bytes under a new id and signs a URL to them.
     *
     * @throws StorageException when the object store refuses or cannot be reached
     */
    public StoredImage put(byte[] bytes, ImageFormat format, String owner) {
        // the bytes are not touched again: no defensive copy of a multi-megabyte image
        return put(ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length, format, owner);
    }

    /** As {@link #put(byte[], ImageFormat, String)}, uploaded from the chunks the image was received into. */
    private StoredImage put(ImageBytes bytes, ImageFormat format, String owner) {
        return put(bytes::newInputStream, bytes.size(), format, owner);
    }

    private StoredImage put(ContentStreamProvider content, long length, ImageFormat format, String owner) {
        String id = "img_" + randomId();
        String key = config.s3().keyPrefix() + id + "." + format.extension();
        try (StorageWrite write = telemetry.storageWrite(length)) {
            Clients c = clients.get();
            // a known length: one PUT streamed from memory, never buffered again by the SDK
            c.s3().putObject(PutObjectRequest.builder().bucket(c.bucket()).key(key)
                    .contentType(format.contentType()).metadata(Map.of(OWNER, ownerTag(owner))).build(),
                    RequestBody.fromContentProvider(content, length, format.contentType()));
            write.ok();
        } catch (RuntimeException e) {
            throw new StorageException("could not store " + key + ": " + e.getMessage(), e);
        }
        return sign(id, key, config.urlTtl());
    }

    /**
     * The bytes of an image this service stored, by the {@code id} it returned; empty when there is none (or the id
     * is not one of ours).
     *
     * @throws StorageException when the object store cannot be reached
     */
    public Optional<byte[]> read(String id, String owner) {
        if (!ID_PATTERN.matcher(id).matches()) {
            return Optional.empty();
        }
        Clients c = clients.get();
        try {
            String prefix = config.s3().keyPrefix() + id + ".";
            Optional<String> key = c.s3().listObjectsV2(l -> l.bucket(c.bucket()).prefix(prefix).maxKeys(1)).contents()
                    .stream().map(S3Object::key).findFirst();
            // another caller's image is as absent as one that never existed
            return key.map(k -> c.s3().getObjectAsBytes(g -> g.bucket(c.bucket()).key(k)))
                    .filter(o -> ownerTag(owner).equals(o.response().metadata().getOrDefault(OWNER,
                            ownerTag(ANONYMOUS))))
                    .map(o -> o.asByteArray());
        } catch (NoSuchKeyException gone) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw new StorageException("could not read " + id + ": " + e.getMessage(), e);
        }
    }

    /** The bytes stored under an object key this service wrote; empty when it is gone. */
    public Optional<byte[]> readKey(String key) {
        Clients c = clients.get();
        try {
            return Optional.of(c.s3().getObjectAsBytes(g -> g.bucket(c.bucket()).key(key)).asByteArray());
        } catch (NoSuchKeyException gone) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw new StorageException("could not read " + key + ": " + e.getMessage(), e);
        }
    }

    /** Whether an object this service wrote is still there. */
    public boolean exists(String key) {
        Clients c = clients.get();
        try {
            c.s3().headObject(h -> h.bucket(c.bucket()).key(key));
            return true;
        } catch (NoSuchKeyException gone) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new StorageException("could not look for " + key + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StorageException("could not look for " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores the bytes as {@link #put} does, or answers empty when the store refuses or cannot be reached (logged
     * with {@code what}): the caller then hands the image over inline, since it was paid for already.
     */
    public Optional<StoredImage> tryPut(byte[] bytes, ImageFormat format, String what, String owner) {
        return tryStore(() -> put(bytes, format, owner), what);
    }

    /** As {@link #tryPut(byte[], ImageFormat, String, String)}, from the chunks the image was received into. */
    public Optional<StoredImage> tryPut(ImageBytes bytes, ImageFormat format, String what, String owner) {
        return tryStore(() -> put(bytes, format, owner), what);
    }

    private static Optional<StoredImage> tryStore(Supplier<StoredImage> put, String what) {
        try {
            return Optional.of(put.get());
        } catch (StorageException e) {
            Log.warnf("Storage failed for %s; the image is returned inline instead: %s", what, Redaction.forLog(e.getMessage()));
            return Optional.empty();
        }
    }

    /** A fresh signed URL for an object, valid for {@code ttl}. */
    public StoredImage sign(String id, String key, Duration ttl) {
        Clients c = clients.get();
        Instant expires = Instant.now().plus(ttl);
        URI url = URI.create(c.presigner().presignGetObject(p -> p.signatureDuration(ttl)
                .getObjectRequest(g -> g.bucket(c.bucket()).key(key))).url().toString());
        return new StoredImage(id, key, url, expires);
    }

    /** Builds the clients and signs one URL (all local work, nothing is sent), ahead of a SnapStart checkpoint. */
    public void prime() {
        sign("img_" + randomId(), config.s3().keyPrefix() + "primed.png", Duration.ofMinutes(1));
    }

    /**
     * After a SnapStart restore: a fresh id generator, and clients built anew on next use, so that no credentials
     * cached before the snapshot are used by the restored instances.
     */
    public void afterRestore() {
        random = new SecureRandom();
        clients.renew();
    }

    /** A digest standing for the owner in the bucket: never the caller's key, nor a value that leads back to it. */
    private static String ownerTag(String owner) {
        byte[] d = Sha256.of("imagefn-owner\n" + owner);
        return HexFormat.of().formatHex(d, 0, 16);
    }

    private String randomId() {
        char[] out = new char[26];
        for (int i = 0; i < out.length; i++) {
            out[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(out);
    }
}
