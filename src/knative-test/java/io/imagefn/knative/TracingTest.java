package io.imagefn.knative;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * With tracing built in ({@code -Dtracing}; the README's Knative build has it) and turned on: one span per request,
 * with a child for validation, each upstream attempt and each write.
 */
@QuarkusTest
@TestProfile(TracingTest.Profile.class)
class TracingTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("quarkus.otel.sdk.disabled", "false");
            overrides.put("quarkus.otel.bsp.schedule.delay", "10ms");
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aRequestSpanHoldsValidationEveryUpstreamAttemptAndEveryWrite() throws Exception {
        upstream.resetAll();
        spans.reset();
        String b64 = TestImages.b64(TestImages.png(8, 8, Color.CYAN));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("t").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "0"))
                .willSetStateTo("ok"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("t").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withHeader("x-request-id", "req_traced")
                        .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + b64 + "\"},{\"b64_json\":\"" + b64
                                + "\"}]}")));

        given().contentType("application/json").body("{\"prompt\":\"a kite\",\"model\":\"dall-e-2\",\"n\":2}")
                .when().post("/generate").then().statusCode(200);

        SpanData request = await("imagefn.generate");
        List<SpanData> children = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getParentSpanId().equals(request.getSpanId())).toList();
        assertEquals(1L, count(children, "imagefn.validate"), () -> names(children).toString());
        List<SpanData> attempts = children.stream().filter(s -> s.getName().equals("imagefn.upstream generations"))
                .toList();
        assertEquals(2, attempts.size(), () -> "one span per attempt: " + names(children));
        assertEquals(503L, attempts.get(0).getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("req_traced", attempts.get(1).getAttributes().get(AttributeKey.stringKey("imagefn.upstream.request_id")));
        assertEquals(2L, count(children, "imagefn.storage.put"), () -> names(children).toString());
        assertEquals("req_traced", request.getAttributes().get(AttributeKey.stringKey("imagefn.upstream.request_id")));
        assertEquals("success", request.getAttributes().get(AttributeKey.stringKey("imagefn.outcome")));
        // the request span sits under the HTTP server span, so traces join the caller's
        assertTrue(request.getParentSpanContext().isValid(), "request span has the HTTP span as parent");
    }

    private SpanData await(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (SpanData s : spans.getFinishedSpanItems()) {
                if (s.getName().equals(name)) {
                    Thread.sleep(200); // its children ended before it; let the exporter take the last batch
                    return s;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no span " + name + " among " + names(spans.getFinishedSpanItems()));
    }

    private static long count(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).count();
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).toList();
    }
}
