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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.HeldResponses;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.JobsProfile;
import io.imagefn.support.OpenAiSchemas;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The bounds on jobs: an API key has at most {@code max-queued-per-key} jobs queued or running, an instance at most
 * {@code max-concurrent + max-queued}; beyond either, 429 {@code too_many_queued_jobs} with {@code Retry-After} in
 * OpenAI's error shape, nothing written and nothing paid. {@code Prefer: wait} is capped by {@code max-wait} whatever
 * its size, and {@code Preference-Applied} says the wait applied.
 */
@QuarkusTest
@TestProfile(JobBoundsTest.Profile.class)
class JobBoundsTest {

    static final int PER_KEY = 5;
    static final int QUEUED_HERE = 8;
    static final int MAX_WAIT_SECONDS = 2;

    public static class Profile extends JobsProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.jobs.max-queued-per-key", Integer.toString(PER_KEY));
            overrides.put("imagefn.jobs.max-queued", Integer.toString(QUEUED_HERE));
            overrides.put("imagefn.jobs.max-wait", MAX_WAIT_SECONDS + "s");
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final String BODY = "{\"prompt\":\"a lark\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
    private static final String GATE = "job-bounds";

    @InjectWireMock
    WireMockServer upstream;

    private final List<String[]> submitted = new ArrayList<>();

    @BeforeEach
    void holdTheUpstream() {
        upstream.resetAll();
        HeldResponses.hold(GATE);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":7,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(10, 10, Color.CYAN)) + "\"}]}")
                .withTransformers(HeldResponses.NAME).withTransformerParameter("gate", GATE)));
    }

    /** Every job the test made finishes, so the next test starts with empty queues. */
    @AfterEach
    void finishEveryJob() throws InterruptedException {
        HeldResponses.release(GATE);
        for (String[] job : submitted) {
            for (int i = 0; i < 300; i++) {
                String status = given().auth().oauth2(job[0]).when().get("/v1/images/jobs/" + job[1]).then()
                        .statusCode(200).extract().path("status");
                if (!status.equals("queued") && !status.equals("in_progress")) {
                    break;
                }
                Thread.sleep(100);
            }
        }
    }

    private Response submit(String key) {
        return submit(key, "respond-async");
    }

    private Response submit(String key, String prefer) {
        Response r = given().auth().oauth2(key).contentType("application/json").header("Prefer", prefer).body(BODY)
                .when().post(PATH);
        if (r.statusCode() == 202) {
            synchronized (submitted) {
                submitted.add(new String[] { key, r.jsonPath().getString("id") });
            }
        }
        return r;
    }

    private static void isQueueFull(Response r) {
        assertEquals(429, r.statusCode(), r.asString());
        assertEquals("too_many_queued_jobs", r.jsonPath().getString("error.code"));
        assertTrue(Integer.parseInt(r.header("Retry-After")) > 0, "Retry-After: " + r.header("Retry-After"));
        OpenAiSchemas.assertErrorShape(r.asString());
    }

    @Test
    void twoHundredSubmissionsFromOneKeyAreBoundedByItsQueue() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(callers.submit(() -> submit(JobsProfile.KEY_A)));
        }
        int accepted = 0;
        for (Future<Response> f : answers) {
            Response r = f.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 202) {
                accepted++;
            } else {
                isQueueFull(r);
            }
        }
        callers.shutdown();

        assertEquals(PER_KEY, accepted, "accepted of 200");
        List<String> unfinished = given().auth().oauth2(JobsProfile.KEY_A).queryParam("limit", 100).when()
                .get("/v1/images/jobs").then().statusCode(200).extract().jsonPath()
                .getList("data.findAll { it.status == 'queued' || it.status == 'in_progress' }.id");
        assertEquals(PER_KEY, unfinished.size(), "jobs of the key queued or running: " + unfinished);
        // once they have finished, the key has room again
        finishEveryJob();
        upstream.verify(PER_KEY, postRequestedFor(urlEqualTo(PATH)));
        assertEquals(202, submit(JobsProfile.KEY_A).statusCode());
    }

    @Test
    void anInstancesQueueIsBoundedAcrossKeys() throws Exception {
        for (int i = 0; i < PER_KEY; i++) {
            assertEquals(202, submit(JobsProfile.KEY_A).statusCode());
        }
        // one running and QUEUED_HERE waiting fill this instance; key B has room of its own, the instance has not
        int room = 1 + QUEUED_HERE - PER_KEY;
        for (int i = 0; i < room; i++) {
            assertEquals(202, submit(JobsProfile.KEY_B).statusCode());
        }
        Response refused = submit(JobsProfile.KEY_B);
        isQueueFull(refused);
        assertTrue(refused.jsonPath().getString("error.message").contains("This server"), refused.asString());
        finishEveryJob();
        assertEquals(202, submit(JobsProfile.KEY_B).statusCode());
    }

    @Test
    void aWaitOverTheCapIsHeldForTheCapWhateverItsSizeAndSaysSo() throws Exception {
        for (String wait : List.of("600", "12345678901234567890123")) {
            long start = System.nanoTime();
            Response r = CompletableFuture.supplyAsync(() -> submit(JobsProfile.KEY_B, "respond-async, wait=" + wait))
                    .get(30, TimeUnit.SECONDS);
            long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(202, r.statusCode(), "wait=" + wait + ": " + r.asString());
            assertEquals("respond-async, wait=" + MAX_WAIT_SECONDS, r.header("Preference-Applied"), "wait=" + wait);
            assertTrue(heldMillis >= MAX_WAIT_SECONDS * 1000 - 200, "wait=" + wait + " held " + heldMillis + " ms");
        }
    }
}
