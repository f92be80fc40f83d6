package io.imagefn.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real S3Proxy bucket (SigV4 checked) behind a WireMock proxy that passes every request through, until a test
 * stubs a fault for some of them (a 503 for the first PUT, every PUT refused...). The Host header is preserved, so
 * signatures made for the gate's address verify at S3Proxy.
 */
public class FaultyS3 implements QuarkusTestResourceLifecycleManager {

    /** Marks the test field that receives the gate (a {@link WireMockServer}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Gate {
    }

    private final S3ProxyStorage s3 = new S3ProxyStorage();
    private WireMockServer gate;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(s3.start());
        gate = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").preserveHostHeader(true));
        gate.start();
        gate.stubFor(any(anyUrl()).atPriority(PASS_THROUGH).willReturn(aResponse()
                .proxiedFrom(config.get("imagefn.s3.endpoint"))));
        // the SDK's calls go through the gate; signed URLs point at the bucket itself, as a CDN or public name would
        config.put("imagefn.s3.public-endpoint", config.get("imagefn.s3.endpoint"));
        config.put("imagefn.s3.endpoint", gate.baseUrl());
        return config;
    }

    private static final int PASS_THROUGH = 10;

    /** Removes the faults a test stubbed (anything but the pass-through) and forgets the requests seen. */
    public static void clearFaults(WireMockServer gate) {
        gate.getStubMappings().stream().filter(m -> m.getPriority() == null || m.getPriority() != PASS_THROUGH)
                .toList().forEach(gate::removeStubMapping);
        gate.resetRequests();
        gate.resetScenarios();
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(gate, new TestInjector.AnnotatedAndMatchesType(Gate.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (gate != null) {
            gate.stop();
        }
        s3.stop();
    }
}
