package io.imagefn.storage;

import java.net.URI;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import io.imagefn.config.ImagefnConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 client, presigner and bucket every storage class uses: the configured bucket's (its endpoint, region,
 * credentials), or the embedded S3Proxy's when no bucket is configured. Built on first use (nothing connects at
 * startup), except that the embedded server, when used, starts with the application.
 */
@ApplicationScoped
public class S3Clients {

    private final ImagefnConfig config;
    private final Instance<LocalStore> embedded;
    private volatile Clients clients;

    public S3Clients(ImagefnConfig config, Instance<LocalStore> embedded) {
        this.config = config;
        this.embedded = embedded;
    }

    /** The client, the presigner (path style and endpoint set on both) and the bucket. */
    public record Clients(S3Client s3, S3Presigner presigner, String bucket) {
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
            get();
        } else {
            Log.infof("Storage: bucket %s at %s", config.s3().bucket().get(),
                    config.s3().endpoint().map(URI::toString).orElse("AWS S3 " + config.s3().region()));
        }
    }

    /**
     * Whether the bucket answers: one {@code HeadBucket}, which needs only {@code s3:ListBucket} on it.
     *
     * @throws StorageException with the reason when it does not
     */
    public void checkReachable() {
        try {
            Clients c = get();
            c.s3().headBucket(h -> h.bucket(c.bucket()));
        } catch (RuntimeException e) {
            throw new StorageException("the bucket does not answer: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * After a SnapStart restore: clients built anew on next use, so that no credentials cached before the snapshot
     * are used by the restored instances.
     */
    void renew() {
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

    public Clients get() {
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
                // no "Expect: 100-continue" round trip before each PUT: it cost a third of a small image's PUT
                // (bench/results), and saves nothing for bodies this small that are rarely refused
                .httpClientBuilder(Apache5HttpClient.builder().expectContinueEnabled(false))
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

    @PreDestroy
    void close() {
        Clients c = clients;
        if (c != null) {
            c.s3().close();
            c.presigner().close();
        }
    }
}
