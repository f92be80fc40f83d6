package io.imagefn.storage;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.observe.StorageWrite;
import io.imagefn.observe.Telemetry;
import io.imagefn.images.ImageFormat;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Writes images to the bucket under unguessable keys and hands out presigned GET URLs. The clients are created on
 * first use (nothing connects at startup), except that the embedded server, when used, starts with the application.
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
    /** The object metadata naming who stored an image; images stored before it existed belong to no one caller. */
    private static final String OWNER = "imagefn-owner";
    /** The owner of every image when callers are not told apart (no API keys). */
    public static final String ANONYMOUS = "anonymous";

    private final ImagefnConfig config;
    private final Instance<LocalStore> embedded;
    private final Telemetry telemetry;
    private volatile Clients clients;

    public ImageStore(ImagefnConfig config, Instance<LocalStore> embedded, Telemetry telemetry) {
        this.config = config;
        this.embedded = embedded;
        this.telemetry = telemetry;
        if (config.urlTtl().compareTo(MAX_URL_TTL) > 0 || config.urlTtl().isNegative() || config.urlTtl().isZero()) {
            throw new IllegalArgumentException("imagefn.url-ttl must be between 1s and 7d (SigV4 limit), not "
                    + config.urlTtl());
        }
    }

    /** A stored image and a signed URL to it. */
    public record StoredImage(String id, String key, URI url, Instant expiresAt) {
    }

    private record Clients(S3Client s3, S3Presigner presigner, String bucket) {
    }

    /** True when no bucket is configured and the embedded S3Proxy serves the images. */
    public boolean usesEmbedded() {
        return config.s3().bucket().filter(b -> !b.isBlank()).isEmpty();
    }

    void onStart(@Observes StartupEvent start) {
        if (usesEmbedded() && !embedded.isResolvable()) {
            // a cloud build (Lambda, native) has no embedded server: stop here, not at the first paid image
            throw new IllegalStateException("No bucket configured: set IMAGEFN_S3_BUCKET (and IMAGEFN_S3_REGION, or "
                    + "IMAGEFN_S3_ENDPOINT for an S3-compatible store). This build has no embedded S3 server.");
        }
        if (usesEmbedded()) {
            clients();
        } else {
            Log.infof("Storage: bucket %s at %s", config.s3().bucket().get(),
                    config.s3().endpoint().map(URI::toString).orElse("AWS S3 " + config.s3().region()));
        }
    }

    /**
     * Stores the bytes under a new id and signs a URL to them.
     *
     * @throws StorageException when the object store refuses or cannot be reached
     */
    public StoredImage put(byte[] bytes, ImageFormat format, String owner) {
        String id = "img_" + randomId();
        String key = config.s3().keyPrefix() + id + "." + format.extension();
        try (StorageWrite write = telemetry.storageWrite(bytes.length)) {
            Clients c = clients();
            // the bytes are not touched again: no defensive copy of a multi-megabyte image
            c.s3().putObject(PutObjectRequest.builder().bucket(c.bucket()).key(key)
                    .contentType(format.contentType()).metadata(Map.of(OWNER, ownerTag(owner))).build(),
                    RequestBody.fromContentProvider(
                            ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length, format.contentType()));
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
        Clients c = clients();
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
        Clients c = clients();
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
        Clients c = clients();
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

    /** A small JSON record and the ETag it was read with, for a conditional replace. */
    public record Record(byte[] body, String etag) {
    }

    /** The record under {@code name} (kept beside the images, so the bucket's expiry rule covers both). */
    public Optional<Record> readRecord(String name) {
        Clients c = clients();
        try {
            var object = c.s3().getObjectAsBytes(g -> g.bucket(c.bucket()).key(recordKey(name)));
            return Optional.of(new Record(object.asByteArray(), object.response().eTag()));
        } catch (NoSuchKeyException gone) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw new StorageException("could not read record " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a record only if none exists ({@code If-None-Match: *}), or only over the version read
     * ({@code If-Match: etag}) when {@code etag} is given.
     *
     * @return the new ETag, or empty when another writer got there first (412)
     */
    public Optional<String> writeRecord(String name, byte[] body, String etag) {
        Clients c = clients();
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(c.bucket()).key(recordKey(name))
                .contentType("application/json");
        PutObjectRequest request = (etag == null ? put.ifNoneMatch("*") : put.ifMatch(etag)).build();
        try {
            // a retry after a lost answer may be refused by our own write: the caller reads to tell
            return Optional.of(c.s3().putObject(request, RequestBody.fromBytes(body)).eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return Optional.empty();
            }
            throw new StorageException("could not write record " + name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StorageException("could not write record " + name + ": " + e.getMessage(), e);
        }
    }

    /** Removes a record if it is still the version {@code etag}; a record gone or replaced since is fine. */
    public void deleteRecord(String name, String etag) {
        Clients c = clients();
        try {
            c.s3().deleteObject(d -> d.bucket(c.bucket()).key(recordKey(name)).ifMatch(etag));
        } catch (S3Exception e) {
            if (e.statusCode() != 412 && e.statusCode() != 404) {
                throw new StorageException("could not delete record " + name + ": " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            throw new StorageException("could not delete record " + name + ": " + e.getMessage(), e);
        }
    }

    private String recordKey(String name) {
        return config.s3().keyPrefix() + "records/" + name + ".json";
    }

    /**
     * Stores the bytes as {@link #put} does, or answers empty when the store refuses or cannot be reached (logged
     * with {@code what}): the caller then hands the image over inline, since it was paid for already.
     */
    public Optional<StoredImage> tryPut(byte[] bytes, ImageFormat format, String what, String owner) {
        try {
            return Optional.of(put(bytes, format, owner));
        } catch (StorageException e) {
            Log.warnf("Storage failed for %s; the image is returned inline instead: %s", what, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Whether the bucket answers: one {@code HeadBucket}, which needs only {@code s3:ListBucket} on it.
     *
     * @throws StorageException with the reason when it does not
     */
    public void checkReachable() {
        try {
            Clients c = clients();
            c.s3().headBucket(h -> h.bucket(c.bucket()));
        } catch (RuntimeException e) {
            throw new StorageException("the bucket does not answer: " + e.getClass().getSimpleName(), e);
        }
    }

    /** A fresh signed URL for an object, valid for {@code ttl}. */
    public StoredImage sign(String id, String key, Duration ttl) {
        Clients c = clients();
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
        if (!usesEmbedded()) {
            Clients c;
            synchronized (this) {
                c = clients;
                clients = null;
            }
            if (c != null) {
                c.s3().close();
                c.presigner().close();
            }
        }
    }

    private Clients clients() {
        Clients c = clients;
        if (c == null) {
            synchronized (this) {
                if (clients == null) {
                    clients = usesEmbedded() ? embeddedClients() : configuredClients();
                }
                c = clients;
            }
        }
        return c;
    }

    private Clients configuredClients() {
        ImagefnConfig.S3 s3 = config.s3();
        AwsCredentialsProvider credentials = s3.accessKeyId().isPresent() && s3.secretAccessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKeyId().get(),
                        s3.secretAccessKey().get()))
                : DefaultCredentialsProvider.builder().build();
        Optional<URI> publicEndpoint = s3.publicEndpoint().or(s3::endpoint);
        return new Clients(s3Client(s3.endpoint(), credentials, s3.pathStyle()),
                presigner(publicEndpoint, credentials, s3.pathStyle()), s3.bucket().get());
    }

    private Clients embeddedClients() {
        LocalStore.Endpoint e = embedded.get().start();
        AwsCredentialsProvider credentials = StaticCredentialsProvider
                .create(AwsBasicCredentials.create(e.accessKeyId(), e.secretAccessKey()));
        String bucket = "imagefn";
        S3Client s3 = s3Client(Optional.of(e.uri()), credentials, true);
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // kept from an earlier run in the same data directory
        }
        return new Clients(s3, presigner(Optional.of(e.uri()), credentials, true), bucket);
    }

    private S3Client s3Client(Optional<URI> endpoint, AwsCredentialsProvider credentials, boolean pathStyle) {
        var b = S3Client.builder()
                // Apache HttpClient 5: a pooled connection the server has closed is detected, or its failure reported
                // as an I/O error the SDK's own retry takes up (the JDK URLConnection client let it escape unchecked,
                // which needed a second, hand-written retry layer)
                .httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.of(config.s3().region()))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                // storage has its own small retry budget, separate from the upstream's
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(config.s3().maxAttempts()).build()));
        endpoint.ifPresent(uri -> b.endpointOverride(uri)
                // S3-compatible servers do not all take the SDK's default trailing checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
        return b.build();
    }

    private S3Presigner presigner(Optional<URI> endpoint, AwsCredentialsProvider credentials, boolean pathStyle) {
        // the presigner does not inherit the client's settings: path style and endpoint are set again
        var b = S3Presigner.builder()
                .region(Region.of(config.s3().region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    /** A digest standing for the owner in the bucket: never the caller's key, nor a value that leads back to it. */
    private static String ownerTag(String owner) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("imagefn-owner\n" + owner)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomId() {
        char[] out = new char[26];
        for (int i = 0; i < out.length; i++) {
            out[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(out);
    }

    @PreDestroy
    void close() {
        Clients c = clients;
        if (c != null) {
            c.s3().close();
            c.presigner().close();
        }
    }
}
