package io.imagefn.support;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A WireMock upstream and an external S3Proxy bucket, with the retry delays shortened so that retries and the breaker
 * can be exercised in seconds, and image URLs in the upstream's answers allowed on loopback
 * (where WireMock serves them).
 */
public class UpstreamProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "imagefn.upstream.retry.initial-delay", "20ms",
                "imagefn.upstream.retry.max-delay", "100ms",
                // never the subject here: long enough for any answer on a loaded machine (UpstreamTimeoutTest has a
                // short one, with an upstream the test holds back)
                "imagefn.upstream.timeout-seconds", "30",
                "imagefn.upstream.circuit-breaker.request-volume-threshold", "6",
                "imagefn.upstream.circuit-breaker.failure-ratio", "1.0",
                "imagefn.upstream.circuit-breaker.delay-seconds", "60",
                // the WireMock upstream answers some images as URLs on itself: plain http on loopback
                "imagefn.upstream.answer-urls.allow-http", "true",
                "imagefn.upstream.answer-urls.allow-private-addresses", "true");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(S3ProxyStorage.class));
    }
}
