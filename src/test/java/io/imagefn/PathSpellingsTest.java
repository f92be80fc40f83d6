package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.emulator.EmulatorFaults;
import io.imagefn.support.ApiKeysUpstreamProfile;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.RawHttp;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * With API keys set, no spelling of a guarded path reaches anything without a key: each is sent byte for byte as a
 * hostile caller would (a {@code ;} parameter, escapes, dot and empty segments, case), and the recording upstream
 * must see no call at all. The upstream would answer 200, so a spelling that slipped through would be plain to see.
 */
@QuarkusTest
@TestProfile(ApiKeysUpstreamProfile.class)
class PathSpellingsTest {

    private static final String BODY = "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    EmulatorFaults faults;

    @BeforeEach
    void upstreamWouldAnswer() {
        upstream.resetAll();
        upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type",
                "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(8, 8, Color.RED)) + "\"}]}")));
    }

    private static RawHttp.Answer post(String target, Map<String, String> headers) throws Exception {
        return RawHttp.send(RestAssured.port, "POST", target, headers, BODY);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1;x/images/generations", "/v1;/images/generations", "/v1/images;x/generations",
            "/v1/images/generations;x", "/v1/images/generations;", "/;/v1/images/generations",
            "/v1//images/generations", "//v1/images/generations", "/v1/./images/generations",
            "/x/../v1/images/generations", "/v1/images/x/../generations", "/v1/images/%67enerations",
            "/v%31/images/generations", "/%76%31/images/generations", "/v1%2Fimages%2Fgenerations",
            "/v1/images/generations%3Bx", "/v1/images/generations%00",
            "/V1/images/generations", "/v1/images/Generations", "/v1/images/generations/",
            "/v1/images/generations/..;/generations", "/v1/images/generations/%2e%2e/generations",
            "/generate;x", "/generate;", "/%67enerate", "/generate/", "/GENERATE", "/generate/.", "//generate",
            "/emulator;x/v1/images/generations", "/emulator/v1;x/images/generations",
            "/%65mulator/v1/images/generations", "/emulator/./v1/images/generations",
            "http://127.0.0.1/v1;x/images/generations" })
    void noSpellingOfAGuardedPathReachesTheUpstreamWithoutAKey(String target) throws Exception {
        RawHttp.Answer answer = post(target, JSON);

        assertTrue(answer.status() == 400 || answer.status() == 401 || answer.status() == 404,
                target + " answered " + answer.text());
        assertTrue(answer.body().contains("\"error\""), "in the OpenAI error shape: " + answer.text());
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    /** A target the HTTP server cannot parse (a backslash) is refused before any route, bare. */
    @Test
    void aTargetTheServerCannotParseIsRefusedBeforeRouting() throws Exception {
        assertEquals(400, post("/v1\\images\\generations", JSON).status());
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1;x/images/generations", "/generate;x", "/v1/images/%67enerations" })
    void aPathWithParametersOrEscapesIsRefusedEvenWithAKey(String target) throws Exception {
        RawHttp.Answer answer = post(target, Map.of("Content-Type", "application/json", "Authorization",
                "Bearer " + ApiKeysUpstreamProfile.KEY));

        assertEquals(400, answer.status(), answer.text());
        assertTrue(answer.body().contains("\"code\":\"invalid_path\""), answer.text());
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1;x/models", "/v1/models;x", "/v1/models/dall-e-2;x", "/v1;x/models/dall-e-2",
            "/v1//models", "/q/../v1/models" })
    void theModelListIsNotOpenUnderAnotherSpelling(String target) throws Exception {
        RawHttp.Answer answer = RawHttp.send(RestAssured.port, "GET", target, Map.of(), null);

        assertTrue(answer.status() == 400 || answer.status() == 401, target + " answered " + answer.text());
        assertTrue(!answer.body().contains("\"object\":\"list\"") && !answer.body().contains("\"owned_by\""),
                answer.text());
    }

    /** Fault injection is not for anonymous callers under any spelling: nothing is queued. */
    @ParameterizedTest
    @ValueSource(strings = { "/emulator;x/faults", "/emulator/faults;x", "/emulator//faults", "/%65mulator/faults",
            "/x/../emulator/faults" })
    void noSpellingQueuesAnEmulatorFault(String target) throws Exception {
        RawHttp.Answer answer = RawHttp.send(RestAssured.port, "POST", target, JSON, "{\"status\":500,\"count\":20}");

        assertTrue(answer.status() == 400 || answer.status() == 401, target + " answered " + answer.text());
        assertEquals(0, faults.pending(), target + " queued a fault");
    }

    /** Denied by default: a path nobody listed needs a key too (a new route is never an open door). */
    @ParameterizedTest
    @ValueSource(strings = { "/v1", "/v1/", "/v1/anything", "/emulator", "/not-a-route", "/generate-all" })
    void pathsNobodyListedNeedAKey(String target) throws Exception {
        assertEquals(401, post(target, JSON).status(), target);
    }

    @Test
    void thePublicPathsStayOpenAndTheWrittenPathsServeAKey() throws Exception {
        for (String open : new String[] { "/", "/playground.js", "/playground/models", "/q/health/ready",
                "/q/openapi", "/q/metrics" }) {
            assertEquals(200, RawHttp.send(RestAssured.port, "GET", open, Map.of(), null).status(), open);
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
        Map<String, String> withKey = Map.of("Content-Type", "application/json", "Authorization",
                "Bearer " + ApiKeysUpstreamProfile.KEY);
        assertEquals(200, post("/v1/images/generations", withKey).status());
        assertEquals(200, post("/generate", withKey).status());
        assertEquals(200, post("/v1/images/generations?x=1", withKey).status(), "a query string is not a path");
        upstream.verify(3, anyRequestedFor(anyUrl()));
    }
}
