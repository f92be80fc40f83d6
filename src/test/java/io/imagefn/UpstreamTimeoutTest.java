package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.awt.Color;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.support.HeldResponses;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * The attempt timeout is the subject here, so it is short (2 s) and the slow side is the test's: the upstream's answer
 * is held until the test releases it (it never arrives in time, whatever the machine's load), or its body trickles
 * over a minute. Either is a 504 after one call: a slow generation may already be billed, so it is not retried.
 */
@QuarkusTest
@TestProfile(UpstreamTimeoutTest.Profile.class)
class UpstreamTimeoutTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.upstream.timeout-seconds", "2");
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final String GATE = "upstream-timeout";

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        CircuitBreakerMaintenance.get().resetAll();
    }

    @AfterEach
    void letGo() {
        HeldResponses.release(GATE);
    }

    private static ResponseDefinitionBuilder answer() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(TestImages.png(8, 8, Color.RED))
                        + "\"}]}");
    }

    private static void generate504() {
        given().contentType("application/json").body("{\"prompt\":\"slow\",\"size\":\"256x256\"}")
                .when().post("/generate")
                .then().statusCode(504).body("error.code", equalTo("upstream_timeout"));
    }

    @Test
    void anAnswerThatDoesNotComeInTimeIs504AndNotRetried() {
        HeldResponses.hold(GATE);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer().withTransformers(HeldResponses.NAME)
                .withTransformerParameter("gate", GATE)));

        generate504();

        // WireMock journals a request once it has answered it
        HeldResponses.release(GATE);
        oneCallJournaled();
    }

    private void oneCallJournaled() {
        for (int i = 0; i < 6000 && upstream.findAll(postRequestedFor(urlEqualTo(PATH))).isEmpty(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void aBodyThatStallsMidwayIs504AndNotRetried() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer().withChunkedDribbleDelay(20, 60_000)));

        generate504();

        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }
}
