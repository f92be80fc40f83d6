package io.imagefn.storage;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.storage.S3Clients.Clients;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Small JSON records beside the images ({@code <prefix>records/}, so the bucket's expiry rule covers both), written
 * with conditions: the idempotency claims and records.
 */
@ApplicationScoped
public class RecordStore {

    private final ImagefnConfig config;
    private final S3Clients clients;

    public RecordStore(ImagefnConfig config, S3Clients clients) {
        this.config = config;
        this.clients = clients;
    }

    /** A small JSON record and the ETag it was read with, for a conditional replace. */
    public record Record(byte[] body, String etag) {
    }

    /** The record under {@code name} (kept beside the images, so the bucket's expiry rule covers both). */
    public Optional<Record> readRecord(String name) {
        return readObject(recordKey(name), name);
    }

    /**
     * The record at the object key {@code key}, anywhere in the bucket: for records that must outlive the expiry rule
     * of the images (the limits ledger).
     */
    public Optional<Record> readObject(String key) {
        return readObject(key, key);
    }

    private Optional<Record> readObject(String key, String name) {
        Clients c = clients.get();
        try {
            var object = c.s3().getObjectAsBytes(g -> g.bucket(c.bucket()).key(key));
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
        return writeObject(recordKey(name), name, body, etag);
    }

    /** As {@link #writeRecord}, at the object key {@code key} (see {@link #readObject(String)}). */
    public Optional<String> writeObject(String key, byte[] body, String etag) {
        return writeObject(key, key, body, etag);
    }

    private Optional<String> writeObject(String key, String name, byte[] body, String etag) {
        Clients c = clients.get();
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(c.bucket()).key(key)
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
        Clients c = clients.get();
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

    /**
     * Names of the records under {@code folder} (a name prefix such as {@code jobs/<owner>/}), in the bucket's
     * order (ascending), after {@code after} when given, at most {@code max}.
     */
    public java.util.List<String> listRecords(String folder, String after, int max) {
        Clients c = clients.get();
        String base = config.s3().keyPrefix() + "records/";
        String suffix = ".json";
        try {
            var listing = c.s3().listObjectsV2(l -> {
                l.bucket(c.bucket()).prefix(base + folder).maxKeys(max);
                if (after != null) {
                    l.startAfter(recordKey(after));
                }
            });
            return listing.contents().stream().map(o -> o.key()).filter(k -> k.endsWith(suffix))
                    .map(k -> k.substring(base.length(), k.length() - suffix.length())).toList();
        } catch (RuntimeException e) {
            throw new StorageException("could not list records under " + folder + ": " + e.getMessage(), e);
        }
    }

    private String recordKey(String name) {
        return config.s3().keyPrefix() + "records/" + name + ".json";
    }

}
