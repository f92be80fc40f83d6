package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.memory.MemoryBudget;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * What callers and upstreams send that must not be trusted, against a recording upstream: input URLs whose bytes do
 * not fit the memory budget, a form field too long to parse cheaply, a field sent twice, a JPEG that shows a small
 * decoy frame before its real one, and an upstream whose answer points at a private address. Input URLs may be
 * private here (the files are served on loopback); the upstream's answer URLs may be plain http but not private.
 */
@QuarkusTest
@TestProfile(UntrustedInputsTest.Profile.class)
class UntrustedInputsTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            // room for one chunked body (counted as the largest allowed, 1M) or two 900 KB downloads, not three
            overrides.put("imagefn.bodies.budget", "2M");
            overrides.put("quarkus.http.limits.max-body-size", "1M");
            overrides.put("imagefn.inputs.allow-http", "true");
            overrides.put("imagefn.inputs.allow-private-addresses", "true");
            overrides.put("imagefn.upstream.answer-urls.allow-private-addresses", "false");
            return overrides;
        }
    }

    private static final byte[] RESULT = TestImages.png(16, 16, Color.GREEN);

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    MemoryBudget memory;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        CircuitBreakerMaintenance.get().resetAll();
        upstream.stubFor(post(urlPathMatching("/v1/images/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(RESULT) + "\"}]}")));
    }

    private void noUpstreamCall() {
        upstream.verify(0, postRequestedFor(urlPathMatching("/v1/images/.*")));
    }

    /** Three 900 KB inputs by URL under a 2 MB budget: the third does not fit, so nothing is paid for. */
    @Test
    void inputUrlsBeyondTheMemoryBudgetAre503BeforeAnythingIsPaid() {
        byte[] large = TestImages.paddedTo(TestImages.png(64, 64, Color.RED), 900_000);
        upstream.stubFor(get(urlPathMatching("/files/.*")).willReturn(aResponse().withBody(large)));
        List<Map<String, String>> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            images.add(Map.of("image_url", upstream.baseUrl() + "/files/" + i + ".png"));
        }

        given().contentType("application/json").body(Map.of("prompt", "three", "model", "gpt-image-1",
                "images", images)).when().post("/edit")
                .then().statusCode(503).header("Retry-After", "1").body("error.code", equalTo("server_busy"));

        noUpstreamCall();
        assertEquals(0, memory.held(), "what the refused request held is given back");
    }

    @Test
    void inputUrlsWithinTheBudgetAreServedAndGivenBack() {
        byte[] small = TestImages.paddedTo(TestImages.png(64, 64, Color.RED), 200_000);
        upstream.stubFor(get(urlPathMatching("/files/.*")).willReturn(aResponse().withBody(small)));

        given().contentType("application/json").body(Map.of("prompt", "two", "model", "gpt-image-1", "images",
                List.of(Map.of("image_url", upstream.baseUrl() + "/files/a.png"),
                        Map.of("image_url", upstream.baseUrl() + "/files/b.png"))))
                .when().post("/edit").then().statusCode(200);

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/edits")));
        assertEquals(0, memory.held());
    }

    private static RequestSpecification form() {
        return given().multiPart("prompt", "a hat").multiPart("model", "gpt-image-1")
                .multiPart("image", "a.png", TestImages.png(32, 32, Color.RED), "image/png");
    }

    /** 400,000 nines: refused by their length, not parsed (a quadratic parse held a worker for seconds). */
    @Test
    void aFormNumberLongerThanAnyValidValueIsARangeError() {
        form().multiPart("n", "9".repeat(400_000)).when().post("/v1/images/edits")
                .then().statusCode(400).body("error.param", equalTo("n"))
                .body("error.code", equalTo("integer_above_max_value"))
                .body("error.message", containsString("400000 characters"));
        noUpstreamCall();
    }

    @Test
    void aFieldSentTwiceIsRefusedNamingIt() {
        form().multiPart("n", "1").multiPart("n", "2").when().post("/v1/images/edits")
                .then().statusCode(400).body("error.param", equalTo("n"))
                .body("error.code", equalTo("duplicate_parameter"));
        form().multiPart("mask", "m.png", TestImages.pngWithAlpha(32, 32, true), "image/png")
                .multiPart("mask", "n.png", TestImages.pngWithAlpha(32, 32, false), "image/png")
                .when().post("/v1/images/edits")
                .then().statusCode(400).body("error.param", equalTo("mask"))
                .body("error.code", equalTo("duplicate_parameter"));
        noUpstreamCall();
    }

    /**
     * SOI, a TEM marker (standalone: no length), an APP1 segment whose payload looks like a 16x16 frame, then the
     * real 40000x40000 frame: measured as the decoder sees it, and refused by the pixel limit.
     */
    @Test
    void aJpegIsMeasuredByTheFrameThatDecodesNotByADecoy() {
        byte[] decoy = io.imagefn.images.ImageHeaderTest.decoyJpeg(40000, 40000);

        form().multiPart("image", "b.png", decoy, "image/jpeg").when().post("/v1/images/edits")
                .then().statusCode(400).body("error.code", equalTo("image_too_large"));
        noUpstreamCall();
    }

    /** An answer pointing at an address on imagefn's own network is not fetched, whatever the upstream says. */
    @Test
    void anUpstreamAnswerUrlOnAPrivateAddressIsNotFetched() {
        WireMockServer internal = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.2"));
        internal.start();
        try {
            internal.stubFor(get(anyUrl()).willReturn(aResponse().withBody(TestImages.png(8, 8, Color.BLACK))));
            upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"url\":"
                            + "\"http://127.0.0.2:" + internal.port() + "/internal/secret.png\"}]}")));

            given().contentType("application/json").body("{\"prompt\":\"x\",\"model\":\"dall-e-2\"}")
                    .when().post("/generate")
                    .then().statusCode(502).body("error.code", equalTo("bad_upstream_response"))
                    .body("error.message", containsString("non-public address"));

            internal.verify(0, anyRequestedFor(anyUrl()));
        } finally {
            internal.stop();
        }
    }
}
