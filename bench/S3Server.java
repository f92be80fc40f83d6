import java.net.URI;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A standalone S3-compatible server (S3Proxy, in-memory, SigV4 checked) for benchmarks, so the measured app runs
 * with an external bucket as in production rather than its embedded store. Creates BUCKET.
 *
 * Usage: java -cp "target/quarkus-app/lib/main/*" S3Server.java PORT ACCESS_KEY SECRET_KEY BUCKET
 */
public class S3Server {

    public static void main(String[] args) throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("transient", new Properties()))
                .endpoint(URI.create("http://127.0.0.1:" + args[0]))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, args[1], args[2])
                .stopTimeout(0)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        try (S3Client s3 = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(args[1], args[2])))
                .build()) {
            s3.createBucket(b -> b.bucket(args[3]));
        }
        System.out.println("S3 server on " + proxy.getPort());
        Thread.currentThread().join();
    }
}
