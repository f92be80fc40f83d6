package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.PrometheusText;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * What an operator reads at {@code /q/metrics} after a scripted sequence: a success, a 429 then success, a validation
 * failure, and upstream 500s until the breaker opens. Its own profile gives it its own breaker and registry.
 */
@QuarkusTest
@TestProfile(MetricsTest.Profile.class)
class MetricsTest {

    public static class Profile extends UpstreamProfile {
    }

    private static final String PATH = "/v1/images/generations";
    private static final String METHOD = "io.imagefn.upstream.UpstreamClient.generate";
    private static final String REQUEST = "{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\",\"quality\":\"low\"}";

    @InjectWireMock
    WireMockServer upstream;

    private static ResponseDefinitionBuilder ok() {
        // usage priced by hand: 20 text × $5 + 272 image output × $40 per 1M tokens = $0.01098
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("x-request-id", "req_metrics")
                .withBody("""
                        {"created": 1, "data": [{"b64_json": "%s"}], "quality": "low", "size": "1024x1024",
                         "usage": {"input_tokens": 20, "input_tokens_details": {"text_tokens": 20, "image_tokens": 0},
                                   "output_tokens": 272, "total_tokens": 292}}"""
                        .formatted(TestImages.b64(TestImages.png(16, 16, Color.ORANGE))));
    }

    private static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withHeader("Retry-After", "0")
                .withBody("{\"error\":{\"message\":\"no\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
    }

    private static void generate(String body, int expectedStatus) {
        given().contentType("application/json").body(body).when().post("/generate").then().statusCode(expectedStatus);
    }

    @Test
    void countsRequestsRetriesRejectionsAndTheOpenBreaker() {
        PrometheusText before = PrometheusText.scrape();

        // 1. a success
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(ok()));
        generate(REQUEST, 200);
        // 2. a 429, retried, then a success
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("r").whenScenarioStateIs(STARTED)
                .willReturn(status(429)).willSetStateTo("ok"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("r").whenScenarioStateIs("ok").willReturn(ok()));
        generate(REQUEST, 200);
        // 3. a request that fails validation, without an upstream call
        generate("{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":4}", 400);
        // 4. 500s: two requests of 3 attempts each reach the 6 failures that open the breaker, the third is refused
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(status(500)));
        generate(REQUEST, 502);
        generate(REQUEST, 502);
        given().contentType("application/json").body(REQUEST).when().post("/generate").then().statusCode(503)
                .body("error.code", equalTo("upstream_unavailable"));

        PrometheusText after = PrometheusText.scrape();
        Delta d = new Delta(before, after);
        Map<String, String> gpt = Map.of("function", "generate", "binding", "http", "model", "gpt-image-1");
        assertEquals(2, d.of("imagefn_requests_seconds_count", with(gpt, "outcome", "success")), "successes");
        assertEquals(2, d.of("imagefn_requests_seconds_count", with(gpt, "outcome", "upstream_error")), "502s");
        assertEquals(1, d.of("imagefn_requests_seconds_count", with(gpt, "outcome", "upstream_unavailable")),
                "refused by the open breaker");
        assertEquals(1, d.of("imagefn_requests_seconds_count", Map.of("function", "generate", "model", "dall-e-3",
                "outcome", "invalid_request")), "validation failures");

        // one attempt per upstream call: 200, 429 + 200, then 3 + 3 attempts answered 500
        assertEquals(2, d.of("imagefn_upstream_attempts_seconds_count", Map.of("operation", "generations", "status", "200")));
        assertEquals(1, d.of("imagefn_upstream_attempts_seconds_count", Map.of("operation", "generations", "status", "429")));
        assertEquals(6, d.of("imagefn_upstream_attempts_seconds_count", Map.of("operation", "generations", "status", "500")));
        // retries: 1 after the 429, 2 + 2 after the 500s
        assertEquals(5, d.of("ft_retry_retries_total", Map.of("method", METHOD)));
        assertEquals(1, d.of("ft_circuitbreaker_opened_total", Map.of("method", METHOD)));
        assertEquals(1, after.sum("ft_circuitbreaker_state_current", Map.of("method", METHOD, "state", "open")));
        assertEquals(1, d.of("ft_circuitbreaker_calls_total", Map.of("method", METHOD,
                "circuitBreakerResult", "circuitBreakerOpen")));

        assertEquals(2, d.of("imagefn_images_total", with(Map.of("function", "generate", "model", "gpt-image-1"),
                "stored", "true")));
        assertEquals(2, d.of("imagefn_storage_writes_total", Map.of("result", "ok")));
        assertEquals(2 * 0.01098, d.of("imagefn_cost_usd_total", Map.of("model", "gpt-image-1")), 1e-9);
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(labels);
        m.put(key, value);
        return m;
    }

    private record Delta(PrometheusText before, PrometheusText after) {
        double of(String name, Map<String, String> labels) {
            return after.sum(name, labels) - before.sum(name, labels);
        }
    }
}
