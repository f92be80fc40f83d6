package io.imagefn.support;

import java.net.URI;
import java.util.Map;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An external S3-compatible store for the tests that configure a bucket: a separate S3Proxy (in-memory backend, SigV4
 * checked), reached through the same configuration a production deployment uses.
 */
public class S3ProxyStorage implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "imagefn-test";
    private static final String ACCESS_KEY = "test-access-key";
    private static final String SECRET_KEY = "test-secret-key-0123456789";

    private S3Proxy proxy;

    @Override
    public Map<String, String> start() {
        try {
            proxy = S3Proxy.builder()
                    .blobStore(BlobStores.create("transient", new Properties()))
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .stopTimeout(0)
                    .build();
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        try (S3Client s3 = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.US_EAST_1).endpointOverride(URI.create(endpoint)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        return Map.of(
                "imagefn.s3.bucket", BUCKET,
                "imagefn.s3.endpoint", endpoint,
                "imagefn.s3.path-style", "true",
                "imagefn.s3.access-key-id", ACCESS_KEY,
                "imagefn.s3.secret-access-key", SECRET_KEY);
    }

    @Override
    public void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception ignored) {
                // the JVM is ending the test run anyway
            }
        }
    }
}
