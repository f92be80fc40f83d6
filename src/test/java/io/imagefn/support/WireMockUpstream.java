package io.imagefn.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A real HTTP upstream on a free port, standing in for the OpenAI API; tests stub and verify it. */
public class WireMockUpstream implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "sk-test-wiremock-key";

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new HeldResponses()));
        server.start();
        return config(server);
    }

    /** How imagefn is pointed at the running server: an OpenAI-compatible API at {@code <server>/v1}. */
    protected Map<String, String> config(WireMockServer running) {
        return Map.of(
                "imagefn.upstream.url", running.baseUrl() + "/v1",
                "imagefn.upstream.api-key", API_KEY);
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
