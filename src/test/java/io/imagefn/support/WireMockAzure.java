package io.imagefn.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real HTTP server on a free port playing an Azure OpenAI resource: imagefn is configured as a deployment would be
 * for Azure (provider, endpoint, api-key, api-version, model-to-deployment map); tests stub Azure's paths and verify
 * its headers. Injected with {@link InjectWireMock}.
 */
public class WireMockAzure implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "azure-test-key-0123456789abcdef";
    public static final String API_VERSION = "2025-04-01-preview";

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return Map.of(
                "imagefn.upstream.provider", "azure",
                "imagefn.upstream.url", server.baseUrl(),
                "imagefn.upstream.api-key", API_KEY,
                "imagefn.upstream.azure.api-version", API_VERSION,
                "imagefn.upstream.azure.deployments", "gpt-image-1=images-east,dall-e-3=dalle3-east",
                "imagefn.upstream.retry.initial-delay", "20ms",
                "imagefn.upstream.retry.max-delay", "100ms");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectWireMock.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
