package io.imagefn.support;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A WireMock upstream, and a bucket configured on an endpoint where nothing listens: storage is down. */
public class StorageDownProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "imagefn.s3.bucket", "unreachable",
                "imagefn.s3.endpoint", "http://127.0.0.1:9",
                "imagefn.s3.path-style", "true",
                "imagefn.s3.access-key-id", "id",
                "imagefn.s3.secret-access-key", "secret");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(WireMockUpstream.class));
    }
}
