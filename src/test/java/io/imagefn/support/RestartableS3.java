package io.imagefn.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.Map;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An S3Proxy bucket (SigV4 checked) that a test can stop and start again on the same port, keeping its objects, to
 * see what the service does while its object store is away.
 */
public class RestartableS3 implements QuarkusTestResourceLifecycleManager {

    /** Marks the test field that receives the switch. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** Stops and restarts the store. */
    public interface Switch {
        void stop();

        void start();
    }

    private static final String ACCESS_KEY = "restart-access-key";
    private static final String SECRET_KEY = "restart-secret-key-0123456789";

    private BlobStore blobs;
    private S3Proxy proxy;
    private int port;

    @Override
    public Map<String, String> start() {
        blobs = BlobStores.create("transient", new Properties());
        blobs.createContainer(S3ProxyStorage.BUCKET);
        up(0);
        port = proxy.getPort();
        return Map.of(
                "imagefn.s3.bucket", S3ProxyStorage.BUCKET,
                "imagefn.s3.endpoint", "http://127.0.0.1:" + port,
                "imagefn.s3.path-style", "true",
                "imagefn.s3.access-key-id", ACCESS_KEY,
                "imagefn.s3.secret-access-key", SECRET_KEY);
    }

    private void up(int onPort) {
        try {
            proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + onPort))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).stopTimeout(0).build();
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
    }

    private void down() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop", e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(new Switch() {
            @Override
            public void stop() {
                down();
            }

            @Override
            public void start() {
                up(port);
            }
        }, new TestInjector.AnnotatedAndMatchesType(Inject.class, Switch.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception ignored) {
                // the test run is ending
            }
        }
    }
}
