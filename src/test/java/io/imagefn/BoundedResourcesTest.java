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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
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
            overrides.put("imagefn.upstream.timeout-seconds", "10");
            overrides.put("quarkus.http.limits.max-body-size", "1M");
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    private record Answer(Response response, long finishedAt) {
    }

    @Test
    void callsOverTheCapAreRefusedAtOnceWith503AndRetryAfter() throws Exception {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withFixedDelay(2500)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(8, 8, Color.GRAY)) + "\"}]}")));
        ExecutorService callers = Executors.newFixedThreadPool(5);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(callers.submit(() -> {
                go.await();
                Response r = given().contentType("application/json").body("{\"prompt\":\"slow\",\"size\":\"256x256\"}")
                        .when().post("/generate");
                return new Answer(r, System.nanoTime());
            }));
            if (i == 1) {
                go.countDown();
                // the first two hold the upstream's two slots before the other three arrive
                awaitUpstreamCalls(2);
            }
        }
        // while the slots are held, the event loop still answers
        given().when().get("/q/health/live").then().statusCode(200);

        List<Answer> served = new ArrayList<>();
        List<Answer> refused = new ArrayList<>();
        for (Future<Answer> f : futures) {
            Answer a = f.get();
            (a.response().statusCode() == 200 ? served : refused).add(a);
        }
        callers.shutdown();

        assertEquals(2, served.size(), "two served");
        assertEquals(3, refused.size(), "three refused");
        for (Answer a : refused) {
            assertEquals(503, a.response().statusCode());
            assertEquals("too_many_concurrent_requests", a.response().jsonPath().getString("error.code"));
            assertEquals("1", a.response().header("Retry-After"));
            // refused without waiting for a slot: every refusal came back before the first served answer
            served.forEach(s -> assertTrue(a.finishedAt() < s.finishedAt(), "a refusal waited for a slot"));
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

    private void awaitUpstreamCalls(int n) throws InterruptedException {
        for (int i = 0; i < 200 && upstream.findAll(postRequestedFor(urlEqualTo(PATH))).size() < n; i++) {
            Thread.sleep(10);
        }
        upstream.verify(n, postRequestedFor(urlEqualTo(PATH)));
    }
}
