package io.imagefn.storage;

import java.net.URI;

/**
 * An S3-compatible server this process starts for itself when no bucket is configured (the embedded S3Proxy of the
 * local builds). Builds meant for the cloud (Lambda, native) have none: there a bucket must be configured.
 */
public interface LocalStore {

    /** Where it listens and the credentials it checks. */
    record Endpoint(URI uri, String accessKeyId, String secretAccessKey) {
    }

    /** Starts it once; later calls return the running one. */
    Endpoint start();
}
