import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The storage step alone, configured as imagefn configures it: PUT the stub's image bytes and presign a GET, one at a
 * time, COUNT times. Prints a line in Load's CSV format (p50/p99 of PUT + presign).
 *
 * Usage: java -cp "target/quarkus-app/lib/main/*" PutBench.java ENDPOINT KEY SECRET BUCKET BODY_FILE STUB_URL COUNT
 */
public class PutBench {

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(args[1], args[2]));
        String bucket = args[3];
        String stubAnswer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(args[5]))
                .POST(HttpRequest.BodyPublishers.ofFile(Path.of(args[4]))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        int from = stubAnswer.indexOf("\"b64_json\":\"") + 12;
        byte[] image = Base64.getDecoder().decode(stubAnswer.substring(from, stubAnswer.indexOf('"', from)));
        int count = Integer.parseInt(args[6]);

        try (S3Client s3 = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder().expectContinueEnabled(false))
                .region(Region.US_EAST_1).credentialsProvider(credentials).forcePathStyle(true).endpointOverride(endpoint)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
                S3Presigner presigner = S3Presigner.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                        .endpointOverride(endpoint)
                        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            List<Long> latencies = new ArrayList<>();
            int errors = 0;
            for (int i = 0; i < count + 5; i++) {
                String key = "bench/" + UUID.randomUUID() + ".png";
                long t0 = System.nanoTime();
                try {
                    s3.putObject(p -> p.bucket(bucket).key(key).contentType("image/png"),
                            RequestBody.fromContentProvider(ContentStreamProvider.fromByteArrayUnsafe(image),
                                    image.length, "image/png"));
                    presigner.presignGetObject(p -> p.signatureDuration(Duration.ofHours(1))
                            .getObjectRequest(g -> g.bucket(bucket).key(key)));
                } catch (RuntimeException e) {
                    errors++;
                    System.err.println("PUT failed: " + e);
                    continue;
                }
                if (i >= 5) {
                    latencies.add(System.nanoTime() - t0);
                }
            }
            if (latencies.isEmpty()) {
                System.out.printf("put,1,%d,0,%d,0,0,0,0,0%n", count, errors);
                return;
            }
            Collections.sort(latencies);
            double mean = latencies.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
            System.out.printf("put,1,%d,%d,%d,%.1f,%.1f,%.1f,0,0%n", count, latencies.size(), errors,
                    latencies.get(latencies.size() / 2) / 1e6,
                    latencies.get((int) Math.ceil(0.99 * latencies.size()) - 1) / 1e6, mean);
        }
    }
}
