package io.imagefn.support;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * A real HTTP server on a free port playing an Azure OpenAI resource: imagefn is configured as a deployment would be
 * for Azure (provider, endpoint, api-key, api-version, model-to-deployment map); tests stub Azure's paths and verify
 * its headers. Injected with {@link InjectWireMock}.
 */
public class WireMockAzure extends WireMockUpstream {

    public static final String API_KEY = "azure-test-key-0123456789abcdef";
    public static final String API_VERSION = "2025-04-01-preview";

    @Override
    protected Map<String, String> config(WireMockServer running) {
        return Map.of(
                "imagefn.upstream.provider", "azure",
                "imagefn.upstream.url", running.baseUrl(),
                "imagefn.upstream.api-key", API_KEY,
                "imagefn.upstream.azure.api-version", API_VERSION,
                "imagefn.upstream.azure.deployments", "gpt-image-1=images-east,dall-e-3=dalle3-east",
                "imagefn.upstream.retry.initial-delay", "20ms",
                "imagefn.upstream.retry.max-delay", "100ms");
    }
}
