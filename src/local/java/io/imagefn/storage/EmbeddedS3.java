package io.imagefn.storage;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import io.imagefn.config.ImagefnConfig;
import io.quarkus.logging.Log;

/**
 * An in-process S3-compatible server (S3Proxy) on 127.0.0.1 with a filesystem backend, used when no bucket is
 * configured: the same S3 code path, SigV4 signatures and expiry as in AWS, with nothing to install. Its credentials
 * are random per process, so signed URLs do not survive a restart.
 */
@ApplicationScoped
public class EmbeddedS3 implements LocalStore {

    private final ImagefnConfig.Embedded config;
    private S3Proxy proxy;
    private Endpoint endpoint;

    public EmbeddedS3(ImagefnConfig config) {
        this.config = config.s3().embedded();
    }

    /** Starts the server once; later calls return the running one. */
    @Override
    public synchronized Endpoint start() {
        if (endpoint != null) {
            return endpoint;
        }
        try {
            Path dir = config.dataDir().toAbsolutePath();
            Files.createDirectories(dir);
            Properties props = new Properties();
            props.setProperty("jclouds.filesystem.basedir", dir.toString());
            SecureRandom random = new SecureRandom();
            String id = "imagefn-" + HexFormat.of().formatHex(random.generateSeed(6));
            String secret = HexFormat.of().formatHex(random.generateSeed(20));
            S3Proxy p = S3Proxy.builder()
                    .blobStore(BlobStores.create("filesystem", props))
                    .endpoint(URI.create("http://127.0.0.1:" + config.port()))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, id, secret)
                    .stopTimeout(0)
                    .build();
            p.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(p.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded S3 server did not start within 30s: " + p.getState());
                }
                Thread.sleep(5);
            }
            proxy = p;
            endpoint = new Endpoint(URI.create("http://127.0.0.1:" + p.getPort()), id, secret);
            Log.warnf("Storage: EMBEDDED S3 server (S3Proxy, development default) at %s, data in %s. "
                    + "Set IMAGEFN_S3_BUCKET to use real object storage.", endpoint.uri(), dir);
            return endpoint;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the embedded S3 server", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded S3 server: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                Log.debug("embedded S3 server stop failed", e);
            }
            proxy = null;
            endpoint = null;
        }
    }
}
