package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.HeldResponses;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.upstream.UpstreamSlots;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * With the upstream slow and the cap on concurrent upstream calls reached, the excess is refused at once with 503 and
 * {@code Retry-After} (not queued, so waiting requests hold no memory), while the event loop keeps answering, and a
 * body over the size limit is refused with 413.
 */
@QuarkusTest
@TestProfile(BoundedResourcesTest.Profile.class)
class BoundedResourcesTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.upstream.max-concurrent-calls", "2");
            overrides.put("imagefn.upstream.timeout-seconds", "60");
            overrides.put("quarkus.http.limits.max-body-size", "1M");
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final String GATE = "bounded-resources";

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    UpstreamSlots slots;

    /**
     * Two callers hold both upstream slots (their answers are held back by the test); three more are refused at once
     * with 503 and Retry-After while the two are still held, so none of them waited for a slot; then the two are
     * released and served.
     */
    @Test
    void callsOverTheCapAreRefusedAtOnceWith503AndRetryAfter() throws Exception {
        upstream.resetAll();
        HeldResponses.hold(GATE);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(8, 8, Color.GRAY)) + "\"}]}")
                .withTransformers(HeldResponses.NAME).withTransformerParameter("gate", GATE)));
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Response>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(callers.submit(() -> given().contentType("application/json")
                        .body("{\"prompt\":\"slow\",\"size\":\"256x256\"}").when().post("/generate")));
            }
            // both held calls are at the upstream (WireMock journals a request only once it has answered it)
            for (int i = 0; i < 6000 && slots.inUse() < 2; i++) {
                Thread.sleep(10);
            }
            assertEquals(2, slots.inUse(), "both calls hold a slot");
            // while the slots are held, the event loop still answers
            given().when().get("/q/health/live").then().statusCode(200);

            for (int i = 0; i < 3; i++) {
                Response refused = given().contentType("application/json")
                        .body("{\"prompt\":\"one more\",\"size\":\"256x256\"}").when().post("/generate");
                assertEquals(503, refused.statusCode(), refused.asString());
                assertEquals("too_many_concurrent_requests", refused.jsonPath().getString("error.code"));
                assertEquals("1", refused.header("Retry-After"));
            }
            assertTrue(held.stream().noneMatch(Future::isDone), "the refusals came while both slots were held");

            HeldResponses.release(GATE);
            for (Future<Response> f : held) {
                assertEquals(200, f.get().statusCode());
            }
        } finally {
            HeldResponses.release(GATE);
            callers.shutdown();
        }
        upstream.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() {
        given().contentType("application/json").body("{\"prompt\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")
                .when().post(PATH).then().statusCode(413).body("error.type", org.hamcrest.Matchers.equalTo(
                        "invalid_request_error"));
        given().contentType("application/json").body("{\"prompt\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")
                .when().post("/generate").then().statusCode(413).body("error.message",
                        org.hamcrest.Matchers.containsString("large"));
    }
}
