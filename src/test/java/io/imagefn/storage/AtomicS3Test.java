package io.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.imagefn.support.AtomicS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The test bucket keeps S3's promise for conditional writes (AWS S3 user guide, "conditional writes"): of many
 * writers racing to create one object ({@code If-None-Match: *}), or to replace one version of it ({@code If-Match}),
 * exactly one wins and the others get 412. Every cross-instance limit test rests on this, so it is tested itself, with
 * 16 writers released together, round after round, through the AWS SDK.
 */
class AtomicS3Test {

    private static final int WRITERS = 16;
    private static final int ROUNDS = 10;

    private static AtomicS3 s3;
    private static S3Client client;
    private static String bucket;
    private static ExecutorService writers;

    @BeforeAll
    static void start() {
        s3 = AtomicS3.start();
        bucket = s3.config().get("imagefn.s3.bucket");
        client = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder().maxConnections(WRITERS * 2))
                .region(Region.US_EAST_1).endpointOverride(URI.create(s3.config().get("imagefn.s3.endpoint")))
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        s3.config().get("imagefn.s3.access-key-id"), s3.config().get("imagefn.s3.secret-access-key"))))
                .build();
        writers = Executors.newFixedThreadPool(WRITERS);
    }

    @AfterAll
    static void stop() {
        writers.shutdownNow();
        client.close();
        s3.close();
    }

    /** How many of {@link #WRITERS} puts, released together, succeed; the rest must be 412. */
    private static int winners(Function<Integer, PutObjectRequest> put) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            results.add(writers.submit(() -> {
                go.await();
                try {
                    client.putObject(put.apply(writer), RequestBody.fromString("writer " + writer));
                    return true;
                } catch (S3Exception e) {
                    assertEquals(412, e.statusCode(), e.getMessage());
                    return false;
                }
            }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> r : results) {
            won += r.get() ? 1 : 0;
        }
        return won;
    }

    @Test
    void ofWritersRacingToCreateOneObjectExactlyOneWins() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "race/create-" + round;
            assertEquals(1, winners(w -> PutObjectRequest.builder().bucket(bucket).key(key).ifNoneMatch("*")
                    .build()), "round " + round);
        }
    }

    @Test
    void ofWritersRacingToReplaceOneVersionExactlyOneWins() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "race/replace-" + round;
            String etag = client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("first")).eTag();
            assertEquals(1, winners(w -> PutObjectRequest.builder().bucket(bucket).key(key).ifMatch(etag).build()),
                    "round " + round);
        }
    }
}
