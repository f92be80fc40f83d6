package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.standardwebhooks.Webhook;

import io.imagefn.support.JobsProfile;
import io.imagefn.support.PackagedApp;
import io.imagefn.support.TestImages;
import io.imagefn.support.WebhookReceiver;
import io.restassured.path.json.JsonPath;

/**
 * A generation as slow as a real high-quality one (3 minutes) against the packaged jar with its default deadlines
 * (30 s to receive a body, 300 s per upstream attempt): the JSON answer arrives on /v1 and on the function path, and
 * a stream that takes 3 minutes reaches its completed event. Beside them, the same generation as a job behind a
 * front that cuts every request at 29 s (an API Gateway REST integration): 202 at once, polled through
 * {@code queued}/{@code in_progress} to {@code completed}, and one signed webhook. The four run at once.
 */
class LongGenerationIT {

    private static final int THREE_MINUTES_MS = 180_000;
    private static final byte[] FINAL = TestImages.png(24, 24, Color.PINK);
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    private static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    @Test
    void aThreeMinuteGenerationReachesTheCallerOnEverySurface() throws Exception {
        WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        try {
            String answer = "{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(FINAL) + "\"}]}";
            upstream.stubFor(post(urlEqualTo("/v1/images/generations")).withRequestBody(equalToJson(
                    "{\"stream\":true}", true, true)).atPriority(1).willReturn(aResponse().withStatus(200)
                            .withHeader("Content-Type", "text/event-stream")
                            .withBody(event("image_generation.partial_image", "{\"type\":\"image_generation."
                                    + "partial_image\",\"b64_json\":\"" + TestImages.b64(TestImages.png(4, 4,
                                            Color.GRAY)) + "\",\"partial_image_index\":0}")
                                    + event("image_generation.completed", "{\"type\":\"image_generation.completed\","
                                            + "\"b64_json\":\"" + TestImages.b64(FINAL) + "\",\"output_format\":\"png\"}"))
                            .withChunkedDribbleDelay(8, THREE_MINUTES_MS)));
            upstream.stubFor(post(urlEqualTo("/v1/images/generations")).atPriority(2).willReturn(aResponse()
                    .withStatus(200).withHeader("Content-Type", "application/json").withBody(answer)
                    .withFixedDelay(THREE_MINUTES_MS)));

            try (WebhookReceiver receiver = new WebhookReceiver();
                    PackagedApp app = PackagedApp.start(List.of("-Dimagefn.s3.embedded.data-dir=target/it-s3",
                    "-Dimagefn.upstream.url=" + upstream.baseUrl() + "/v1",
                    "-Dimagefn.upstream.api-key=sk-test-long-generation",
                    "-Dimagefn.webhook.secret=" + JobsProfile.SECRET_NEW,
                    // the receiver is this test, on loopback over http
                    "-Dimagefn.webhook.allow-http=true", "-Dimagefn.webhook.allow-private-addresses=true"))) {
                Duration front = Duration.ofSeconds(29);
                String asJob = "{\"prompt\":\"a slow lighthouse\",\"model\":\"dall-e-2\",\"size\":\"256x256\","
                        + "\"webhook\":\"" + receiver.url("/hook") + "\"}";
                HttpResponse<String> accepted = app.send("POST", "/v1/images/generations", asJob, front,
                        "Prefer", "respond-async");
                String json = "{\"prompt\":\"a slow lighthouse\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
                String stream = "{\"prompt\":\"a slow lighthouse\",\"model\":\"gpt-image-1\",\"stream\":true,"
                        + "\"partial_images\":1}";
                List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
                // one thread per caller: the common pool may run one task at a time on a small machine
                ExecutorService callers = Executors.newFixedThreadPool(3);
                for (String[] call : new String[][] { { "/v1/images/generations", json }, { "/generate", json },
                        { "/v1/images/generations", stream } }) {
                    calls.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return app.post(call[0], call[1], PATIENCE);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, callers));
                }
                callers.shutdown();

                assertEquals(202, accepted.statusCode(), accepted.body());
                String job = accepted.headers().firstValue("Location").orElseThrow();
                List<String> statuses = new ArrayList<>(List.of(JsonPath.from(accepted.body()).getString("status")));
                while (!statuses.get(statuses.size() - 1).equals("completed")) {
                    Thread.sleep(5_000);
                    HttpResponse<String> polled = app.send("GET", job, null, front);
                    assertEquals(200, polled.statusCode(), polled.body());
                    String status = JsonPath.from(polled.body()).getString("status");
                    assertTrue(List.of("queued", "in_progress", "completed").contains(status), polled.body());
                    if (!status.equals(statuses.get(statuses.size() - 1))) {
                        statuses.add(status);
                    }
                }
                assertTrue(statuses.contains("in_progress"), statuses.toString());
                assertEquals(statuses.stream().sorted(java.util.Comparator.comparing(List.of("queued", "in_progress",
                        "completed")::indexOf)).toList(), statuses, "in order");
                JsonPath done = JsonPath.from(app.send("GET", job, null, front).body());
                assertArrayEquals(FINAL, TestImages.fetch(done.getString("result.data[0].url")).body());
                for (int i = 0; i < 100 && receiver.deliveries().isEmpty(); i++) {
                    Thread.sleep(100);
                }
                assertEquals(1, receiver.deliveries().size());
                WebhookReceiver.Delivery hook = receiver.deliveries().get(0);
                new Webhook(JobsProfile.SECRET_NEW).verify(hook.body(), Map.of(
                        "webhook-id", List.of(hook.header("webhook-id")),
                        "webhook-timestamp", List.of(hook.header("webhook-timestamp")),
                        "webhook-signature", List.of(hook.header("webhook-signature"))));
                assertEquals("image.job.completed", JsonPath.from(hook.body()).getString("type"));

                for (int i = 0; i < 2; i++) {
                    HttpResponse<String> r = calls.get(i).join();
                    assertEquals(200, r.statusCode(), r.body());
                    assertArrayEquals(FINAL, TestImages.fetch(JsonPath.from(r.body()).getString("data[0].url")).body());
                }
                HttpResponse<String> streamed = calls.get(2).join();
                assertEquals(200, streamed.statusCode(), streamed.body());
                List<String> data = streamed.body().lines().filter(l -> l.startsWith("data: ")).toList();
                assertEquals(2, data.size(), streamed.body());
                JsonPath completed = JsonPath.from(data.get(1).substring(6));
                assertEquals("image_generation.completed", completed.getString("type"));
                assertArrayEquals(FINAL, TestImages.fetch(completed.getString("stored_url")).body());
                assertTrue(!app.output().contains("request_timeout"), "no 408 along the way:\n" + app.output());
                upstream.verify(4, postRequestedFor(urlEqualTo("/v1/images/generations")));
            }
        } finally {
            upstream.stop();
        }
    }
}
