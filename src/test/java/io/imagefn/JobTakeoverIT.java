package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.PackagedApp;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.restassured.path.json.JsonPath;

/**
 * Two instances of the packaged jar on one bucket (S3Proxy, SigV4 on); the first is killed (SIGKILL) with one job's
 * upstream call in flight and another job queued behind it. Polling the second instance takes both over after their
 * leases: the queued job makes exactly one upstream call; the one whose call died with its instance runs again (the
 * upstream has no idempotency of its own: that answer was lost); each ends with one set of images that open.
 */
class JobTakeoverIT {

    private static final byte[] IMAGE = TestImages.png(16, 16, Color.ORANGE);
    private static final Duration FRONT = Duration.ofSeconds(29);
    private static final String PATH = "/v1/images/generations";

    @Test
    void theJobsOfAKilledInstanceAreRunByTheOtherWithoutPayingTwiceForWhatWasNotLost() throws Exception {
        S3ProxyStorage storage = new S3ProxyStorage();
        Map<String, String> bucket = storage.start();
        WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        try {
            upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withFixedDelay(4000)
                    .withBody("{\"created\":9,\"data\":[{\"b64_json\":\"" + TestImages.b64(IMAGE) + "\"}]}")));
            List<String> options = new ArrayList<>(List.of("-Dimagefn.upstream.url=" + upstream.baseUrl() + "/v1",
                    "-Dimagefn.upstream.api-key=sk-test-takeover", "-Dimagefn.jobs.max-concurrent=1",
                    "-Dimagefn.jobs.lease=3s", "-Dimagefn.idempotency.lease=5s"));
            bucket.forEach((k, v) -> options.add("-D" + k + "=" + v));

            try (PackagedApp first = PackagedApp.start(options); PackagedApp second = PackagedApp.start(options)) {
                String inFlight = submit(first, "the job in flight");
                String queued = submit(first, "the job queued behind it");
                for (int i = 0; i < 100 && upstream.findAll(postRequestedFor(urlEqualTo(PATH))).isEmpty(); i++) {
                    Thread.sleep(50);
                }
                assertEquals(1, upstream.findAll(postRequestedFor(urlEqualTo(PATH))).size(), "one call under way");
                first.process().destroyForcibly().waitFor();

                JsonPath queuedDone = pollUntilFinished(second, queued);
                JsonPath inFlightDone = pollUntilFinished(second, inFlight);

                assertEquals("completed", queuedDone.getString("status"));
                assertEquals("completed", inFlightDone.getString("status"));
                upstream.verify(1, postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing("queued behind")));
                upstream.verify(2, postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing("in flight")));
                for (JsonPath done : List.of(queuedDone, inFlightDone)) {
                    assertEquals(1, done.getList("result.data").size());
                    assertArrayEquals(IMAGE, TestImages.fetch(done.getString("result.data[0].url")).body());
                }
                List<String> listed = JsonPath.from(second.send("GET", "/v1/images/jobs", null, FRONT).body())
                        .getList("data.id");
                assertTrue(listed.containsAll(List.of(inFlight, queued)), listed.toString());
            }
        } finally {
            upstream.stop();
            storage.stop();
        }
    }

    private static String submit(PackagedApp app, String prompt) throws Exception {
        HttpResponse<String> r = app.send("POST", PATH, "{\"prompt\":\"" + prompt + "\",\"model\":\"dall-e-2\","
                + "\"size\":\"256x256\"}", FRONT, "Prefer", "respond-async");
        assertEquals(202, r.statusCode(), r.body());
        return JsonPath.from(r.body()).getString("id");
    }

    private static JsonPath pollUntilFinished(PackagedApp app, String id) throws Exception {
        for (int i = 0; i < 120; i++) {
            HttpResponse<String> r = app.send("GET", "/v1/images/jobs/" + id, null, FRONT);
            assertEquals(200, r.statusCode(), r.body());
            JsonPath job = JsonPath.from(r.body());
            if (!List.of("queued", "in_progress").contains(job.getString("status"))) {
                return job;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("job " + id + " did not finish on the surviving instance:\n" + app.output());
    }
}
