package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import io.imagefn.support.FaultyS3;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Each fault the upstream or the object store can throw at a request, and what the caller sees: the status, how many
 * upstream calls were paid for, and that every image the upstream produced reaches the caller (by a URL that opens
 * its exact bytes, or inline). The profile allows 3 upstream attempts with a 4 s timeout each, and 3 storage attempts.
 */
@QuarkusTest
@TestProfile(FaultMatrixTest.Profile.class)
class FaultMatrixTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new java.util.HashMap<>(super.getConfigOverrides());
            // room to move a 40 MB answer on a busy 2-core machine (the timeout's own tests: UpstreamTimeoutTest)
            overrides.put("imagefn.upstream.timeout-seconds", "60");
            return overrides;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(FaultyS3.class));
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final String PUTS = "/imagefn-test/images/.*";

    @InjectWireMock
    WireMockServer upstream;

    @FaultyS3.Gate
    WireMockServer s3;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        FaultyS3.clearFaults(s3);
        CircuitBreakerMaintenance.get().resetAll();
    }

    // --- helpers

    private static List<byte[]> produced(int n) {
        List<byte[]> images = new ArrayList<>();
        Color[] colors = { Color.RED, Color.GREEN, Color.BLUE, Color.ORANGE };
        for (int i = 0; i < n; i++) {
            images.add(TestImages.png(24, 24, colors[i % colors.length]));
        }
        return images;
    }

    private static ResponseDefinitionBuilder answer(List<byte[]> images) {
        StringBuilder data = new StringBuilder();
        for (byte[] image : images) {
            data.append(data.isEmpty() ? "" : ",").append("{\"b64_json\":\"").append(TestImages.b64(image)).append("\"}");
        }
        return json(200, "{\"created\":1,\"data\":[" + data + "]}");
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static ResponseDefinitionBuilder error(int status) {
        return json(status, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}")
                .withHeader("Retry-After", "0");
    }

    /** The upstream answers {@code first} for the first {@code times} calls, then {@code then}. */
    private void burst(ResponseDefinitionBuilder first, int times, ResponseDefinitionBuilder then) {
        String state = STARTED;
        for (int i = 0; i < times; i++) {
            String next = "after-" + (i + 1);
            upstream.stubFor(post(urlEqualTo(PATH)).inScenario("burst").whenScenarioStateIs(state).willReturn(first)
                    .willSetStateTo(next));
            state = next;
        }
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("burst").whenScenarioStateIs(state).willReturn(then));
    }

    private static Response generate(int n) {
        return given().contentType("application/json")
                .body("{\"prompt\":\"a lantern\",\"model\":\"dall-e-2\",\"size\":\"256x256\",\"n\":" + n + "}")
                .when().post(PATH);
    }

    private void upstreamCalls(int expected) {
        upstream.verify(expected, postRequestedFor(urlEqualTo(PATH)));
    }

    /** Every produced image is in the answer, in order, stored (its URL opens the bytes) or inline; returns how many were stored. */
    private static int allDelivered(JsonPath answer, List<byte[]> images) {
        List<Map<String, Object>> data = answer.getList("data");
        assertEquals(images.size(), data.size(), "one entry per produced image");
        int stored = 0;
        for (int i = 0; i < images.size(); i++) {
            Map<String, Object> d = data.get(i);
            if (d.get("url") != null) {
                byte[] got = TestImages.fetch((String) d.get("url")).body();
                assertArrayEquals(images.get(i), got, "image " + i + " by URL: " + new String(got, 0, Math.min(300, got.length)));
                assertNull(d.get("stored"));
                stored++;
            } else {
                assertEquals(Boolean.FALSE, d.get("stored"), "an unstored image says so");
                assertArrayEquals(images.get(i), Base64.getDecoder().decode((String) d.get("b64_json")),
                        "image " + i + " inline");
            }
        }
        return stored;
    }

    // --- the upstream misbehaves

    @Test
    void rateLimitedWithRetryAfterThenServed() {
        List<byte[]> images = produced(1);
        burst(error(429).withHeader("Retry-After", "1"), 1, answer(images));

        JsonPath answer = generate(1).then().statusCode(200).extract().jsonPath();

        upstreamCalls(2);
        assertEquals(1, allDelivered(answer, images));
    }

    @Test
    void rateLimitedWithRetryAfterMsThenServed() {
        List<byte[]> images = produced(1);
        burst(error(429).withHeader("retry-after-ms", "40").withHeader("Retry-After", "30"), 1, answer(images));

        JsonPath answer = generate(1).then().statusCode(200).extract().jsonPath();

        upstreamCalls(2);
        assertEquals(1, allDelivered(answer, images));
    }

    @Test
    void aBurstOf5xxShorterThanTheRetryBudgetIsAbsorbed() {
        List<byte[]> images = produced(2);
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("burst").whenScenarioStateIs(STARTED)
                .willReturn(error(500)).willSetStateTo("b"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("burst").whenScenarioStateIs("b")
                .willReturn(error(502)).willSetStateTo("c"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("burst").whenScenarioStateIs("c").willReturn(answer(images)));

        JsonPath answer = generate(2).then().statusCode(200).extract().jsonPath();

        upstreamCalls(3);
        assertEquals(2, allDelivered(answer, images));
    }

    @Test
    void aBurstOf503LongerThanTheRetryBudgetIsA502() {
        burst(error(503), 5, answer(produced(1)));

        generate(1).then().statusCode(502).extract().jsonPath();

        // 3 attempts, nothing produced, nothing to lose
        upstreamCalls(3);
    }

    @Test
    void aConnectionResetIsRetried() {
        List<byte[]> images = produced(1);
        burst(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), 1, answer(images));

        JsonPath answer = generate(1).then().statusCode(200).extract().jsonPath();

        upstreamCalls(2);
        assertEquals(1, allDelivered(answer, images));
    }

    @Test
    void malformedJsonIsA502AndNotRetried() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200, "{\"created\":1,\"data\":[{\"b64_json\":")));

        generate(1).then().statusCode(502);

        upstreamCalls(1);
    }

    @Test
    void brokenBase64IsA502AndNotRetried() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200,
                "{\"created\":1,\"data\":[{\"b64_json\":\"%%%not base64%%%\"}]}")));

        generate(1).then().statusCode(502);

        upstreamCalls(1);
    }

    @Test
    void aFortyMegabyteAnswerIsStoredWhole() {
        // a 30 MB PNG: 40 MB of base64 (b64_json is decoded straight to bytes, so Jackson's 20M-character string limit
        // does not apply)
        List<byte[]> images = List.of(TestImages.paddedTo(TestImages.png(8, 8, Color.PINK), 30 * 1024 * 1024));
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(images)));

        JsonPath answer = generate(1).then().statusCode(200).extract().jsonPath();

        upstreamCalls(1);
        assertEquals(1, allDelivered(answer, images));
    }

    // --- the object store misbehaves

    @Test
    void storageRefusingTheFirstPutIsRetried() {
        List<byte[]> images = produced(1);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(images)));
        s3.stubFor(put(urlMatching(PUTS)).atPriority(1).inScenario("s3").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("back"));

        JsonPath answer = generate(1).then().statusCode(200).extract().jsonPath();

        upstreamCalls(1);
        assertEquals(1, allDelivered(answer, images));
        s3.verify(2, putRequestedFor(urlMatching(PUTS)));
    }

    /** A connection the store closed without an answer ("Unexpected end of file"): the SDK's one retry layer. */
    @Test
    void storageClosingTheConnectionWithoutAnAnswerIsRetriedOnce() {
        List<byte[]> images = produced(1);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(images)));
        s3.stubFor(put(urlMatching(PUTS)).atPriority(1).inScenario("s3").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)).willSetStateTo("back"));

        JsonPath answer = generate(1).then().statusCode(200).extract().jsonPath();

        assertEquals(1, allDelivered(answer, images));
        s3.verify(2, putRequestedFor(urlMatching(PUTS)));
    }

    @Test
    void storageDownForTheWholeRequestHandsTheImagesOverInline() {
        List<byte[]> images = produced(2);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(images)));
        s3.stubFor(put(urlMatching(PUTS)).atPriority(1).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        JsonPath answer = generate(2).then().statusCode(200).extract().jsonPath();

        upstreamCalls(1);
        assertEquals(0, allDelivered(answer, images));
        // each image had its own storage budget of 3 attempts
        s3.verify(6, putRequestedFor(urlMatching(PUTS)));
    }

    @Test
    void storageStoppingBetweenImagesReportsEachImage() {
        List<byte[]> images = produced(4);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(images)));
        // the first PUT goes through, then the store is gone
        s3.stubFor(put(urlMatching(PUTS)).atPriority(1).inScenario("s3").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().proxiedFrom(proxyTarget())).willSetStateTo("down"));
        s3.stubFor(put(urlMatching(PUTS)).atPriority(1).inScenario("s3").whenScenarioStateIs("down")
                .willReturn(aResponse().withStatus(503)));

        JsonPath answer = generate(4).then().statusCode(200).extract().jsonPath();

        upstreamCalls(1);
        assertEquals(1, allDelivered(answer, images), "image 0 stored, 1-3 inline");
        assertNotNull(answer.getString("data[0].url"));
        assertTrue(answer.getString("data[3].b64_json").length() > 0);
    }

    /** Where the gate's pass-through sends requests: the real S3Proxy. */
    private String proxyTarget() {
        return s3.getStubMappings().stream().filter(m -> m.getResponse().getProxyBaseUrl() != null)
                .map(m -> m.getResponse().getProxyBaseUrl()).findFirst().orElseThrow();
    }

    // --- an upstream that answers with URLs: the download is retried on its own, never the paid generation

    private String urlAnswer(String file) {
        return "{\"created\":1,\"data\":[{\"url\":\"" + upstream.baseUrl() + file + "\"}]}";
    }

    @Test
    void aFailingImageDownloadIsRetriedWithoutPayingForTheGenerationAgain() {
        byte[] image = produced(1).get(0);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200, urlAnswer("/files/a.png"))));
        upstream.stubFor(get(urlEqualTo("/files/a.png")).inScenario("file").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        upstream.stubFor(get(urlEqualTo("/files/a.png")).inScenario("file").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody(image)));

        Response r = generate(1);

        assertEquals(200, r.statusCode(), r.asString());
        allDelivered(r.jsonPath(), List.of(image));
        upstreamCalls(1);
        upstream.verify(2, getRequestedFor(urlEqualTo("/files/a.png")));
    }

    @Test
    void aDownloadThatKeepsFailingIsA502AfterOnePaidCall() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200, urlAnswer("/files/gone.png"))));
        upstream.stubFor(get(urlEqualTo("/files/gone.png")).willReturn(aResponse().withStatus(500)));

        Response r = generate(1);

        assertEquals(502, r.statusCode(), r.asString());
        upstreamCalls(1);
        upstream.verify(3, getRequestedFor(urlEqualTo("/files/gone.png")));
    }
}
