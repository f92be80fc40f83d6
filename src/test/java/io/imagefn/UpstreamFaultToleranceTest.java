package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Retry, timeout, circuit breaker and the status the caller sees for each upstream failure. The profile allows 2
 * retries (3 attempts), a 1s attempt timeout, and opens the breaker after 6 failed attempts in a row.
 */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class UpstreamFaultToleranceTest {

    private static final String PATH = "/v1/images/generations";
    private static final String REQUEST = "{\"prompt\":\"a lighthouse\",\"size\":\"256x256\"}";

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        CircuitBreakerMaintenance.get().resetAll();
    }

    private static ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"created\": 1, \"data\": [{\"b64_json\": \"%s\"}]}"
                        .formatted(TestImages.b64(TestImages.png(16, 16, Color.ORANGE))));
    }

    private static ResponseDefinitionBuilder error(int status, String type, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-request-id", "req_upstream_1")
                .withBody("{\"error\":{\"message\":\"%s\",\"type\":\"%s\",\"param\":null,\"code\":%s}}"
                        .formatted(message, type, code == null ? "null" : "\"" + code + "\""));
    }

    private void firstThen(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("s").whenScenarioStateIs(STARTED)
                .willReturn(first).willSetStateTo("second"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("s").whenScenarioStateIs("second").willReturn(then));
    }

    private void always(ResponseDefinitionBuilder response) {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private static ValidatableResponse generate() {
        return given().contentType("application/json").body(REQUEST).when().post("/generate").then();
    }

    private void upstreamCalls(int expected) {
        upstream.verify(expected, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void retriesOn429HonouringRetryAfter() {
        firstThen(error(429, "requests", "rate_limit_exceeded", "Rate limit reached").withHeader("Retry-After", "1"),
                ok());

        long start = System.nanoTime();
        generate().statusCode(200).body("data[0].url", containsString("X-Amz-Signature"));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;

        upstreamCalls(2);
        // the backoff alone is at most 100ms in this profile: waiting a second means Retry-After was obeyed
        assertTrue(waitedMs >= 950, "retried after " + waitedMs + "ms, before Retry-After: 1 elapsed");
    }

    @Test
    void retriesOn429HonouringRetryAfterMs() {
        firstThen(error(429, "requests", "rate_limit_exceeded", "slow down").withHeader("retry-after-ms", "30")
                .withHeader("Retry-After", "30"), ok());

        generate().statusCode(200);
        upstreamCalls(2);
    }

    @Test
    void answers429WithRetryAfterWhenTheUpstreamAsksForMoreThanTheCap() {
        always(error(429, "requests", "rate_limit_exceeded", "Rate limit reached for org-secret123")
                .withHeader("Retry-After", "120"));

        generate().statusCode(429)
                .header("Retry-After", "120")
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", not(containsString("org-secret123")));
        upstreamCalls(1);
    }

    @Test
    void doesNotRetryAnExhaustedQuota() {
        always(error(429, "insufficient_quota", "insufficient_quota", "You exceeded your current quota"));

        generate().statusCode(429).body("error.code", equalTo("insufficient_quota"));
        upstreamCalls(1);
    }

    @Test
    void answers502After5xxOnEveryAttempt() {
        always(error(500, "server_error", null, "The server had an error"));

        generate().statusCode(502)
                .body("error.type", equalTo("api_error"))
                .body("error.message", containsString("req_upstream_1"));
        upstreamCalls(3);
    }

    @Test
    void recoversWhenA5xxBurstIsShorterThanTheRetries() {
        firstThen(error(503, "server_error", null, "overloaded"), ok());

        generate().statusCode(200);
        upstreamCalls(2);
    }

    @Test
    void retriesABrokenConnection() {
        always(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        generate().statusCode(502).body("error.message", containsString("could not be reached"));
        upstreamCalls(3);
    }

    @Test
    void passesAnUpstream400ThroughWithItsMessage() {
        always(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("""
                {"error":{"message":"Your request was rejected by the safety system.","type":"image_generation_user_error",
                 "param":null,"code":"moderation_blocked","moderation_details":{"moderation_stage":"input"}}}"""));

        generate().statusCode(400)
                .body("error.message", equalTo("Your request was rejected by the safety system."))
                .body("error.type", equalTo("image_generation_user_error"))
                .body("error.code", equalTo("moderation_blocked"));
        upstreamCalls(1);
    }

    @Test
    void hidesUpstreamCredentialFailuresBehind502() {
        always(error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: sk-test-***key"));

        generate().statusCode(502)
                .body("error.code", equalTo("upstream_auth_failed"))
                .body("error.message", not(containsString("sk-")));
        upstreamCalls(1);
    }

    @Test
    void refusesAMalformedUpstreamAnswerWithoutRetrying() {
        always(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"data\": [ {"));

        generate().statusCode(502).body("error.code", equalTo("bad_upstream_response"));
        upstreamCalls(1);
    }

    @Test
    void refusesBrokenBase64WithoutRetrying() {
        always(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"@@not base64@@\"}]}"));

        generate().statusCode(502).body("error.code", equalTo("bad_upstream_response"));
        upstreamCalls(1);
    }

    @Test
    void opensTheBreakerAfterRepeatedFailuresAndThenSpareTheUpstream() {
        always(error(500, "server_error", null, "down"));
        generate().statusCode(502);
        generate().statusCode(502);
        upstreamCalls(6);

        generate().statusCode(503)
                .header("Retry-After", not(equalTo(null)))
                .body("error.code", equalTo("upstream_unavailable"));
        upstreamCalls(6);
    }

    @Test
    void clientErrorsDoNotOpenTheBreaker() {
        always(error(400, "invalid_request_error", null, "bad"));
        for (int i = 0; i < 8; i++) {
            generate().statusCode(400);
        }
        upstreamCalls(8);
    }
}
