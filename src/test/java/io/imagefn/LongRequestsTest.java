package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.upstream.UpstreamSlots;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Requests that take longer than receiving them: the body deadline ends when the body is in, so an answer slower than
 * it still arrives (a real generation takes minutes; here the deadline is 2 s and the upstream 4 s). Streams count
 * against the same upstream limit as calls, and a caller that stops reading is dropped within the write deadline, its
 * upstream stream cancelled and its slot freed.
 */
@QuarkusTest
@TestProfile(LongRequestsTest.Profile.class)
class LongRequestsTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new java.util.HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.bodies.read-deadline", "2s");
            overrides.put("imagefn.upstream.timeout-seconds", "60");
            overrides.put("imagefn.upstream.max-concurrent-calls", "2");
            overrides.put("imagefn.streams.write-timeout", "2s");
            return overrides;
        }
    }

    private static final int SLOWER_THAN_THE_DEADLINE_MS = 4000;
    private static final byte[] FINAL = TestImages.png(16, 16, Color.ORANGE);
    private static final String STREAM = "{\"prompt\":\"a fox\",\"model\":\"gpt-image-1\",\"stream\":true,"
            + "\"partial_images\":2}";

    /** Callers of their own: the common pool may run one task at a time on a small machine. */
    private static final ExecutorService CALLERS = Executors.newCachedThreadPool();

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    UpstreamSlots slots;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        CircuitBreakerMaintenance.get().resetAll();
    }

    @AfterEach
    void everySlotComesBack() {
        waitFor(() -> slots.inUse() == 0, "every upstream slot given back");
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long until = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within 60 s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    private static String partial(int index, byte[] image) {
        return event("image_generation.partial_image", "{\"type\":\"image_generation.partial_image\",\"b64_json\":\""
                + TestImages.b64(image) + "\",\"partial_image_index\":" + index + ",\"output_format\":\"png\"}");
    }

    private static String completed() {
        return event("image_generation.completed", "{\"type\":\"image_generation.completed\",\"b64_json\":\""
                + TestImages.b64(FINAL) + "\",\"size\":\"1024x1024\",\"quality\":\"medium\",\"output_format\":\"png\","
                + "\"usage\":{\"total_tokens\":10,\"input_tokens\":4,\"output_tokens\":6}}");
    }

    /** An event stream the upstream sends in {@code chunks} pieces spread over {@code millis}. */
    private static ResponseDefinitionBuilder slowStream(String body, int chunks, int millis) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(body)
                .withChunkedDribbleDelay(chunks, millis);
    }

    private static List<JsonPath> events(String body) {
        List<JsonPath> data = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(JsonPath.from(line.substring(6)));
            }
        }
        return data;
    }

    private static Response postJson(String path, String body) {
        return given().contentType("application/json").body(body).when().post(path);
    }

    @Test
    void anAnswerSlowerThanTheBodyDeadlineArrivesOnBothSurfaces() {
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withFixedDelay(SLOWER_THAN_THE_DEADLINE_MS)
                .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(FINAL) + "\"}]}")));
        String request = "{\"prompt\":\"a slow fox\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";

        CompletableFuture<Response> v1 = CompletableFuture.supplyAsync(() -> postJson("/v1/images/generations",
                request), CALLERS);
        CompletableFuture<Response> function = CompletableFuture.supplyAsync(() -> postJson("/generate", request),
                CALLERS);

        for (Response r : List.of(v1.join(), function.join())) {
            assertEquals(200, r.statusCode(), r.asString());
            assertArrayEquals(FINAL, TestImages.fetch(r.jsonPath().getString("data[0].url")).body());
        }
    }

    @Test
    void aStreamSlowerThanTheBodyDeadlineStreamsEveryEventToCompleted() {
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(slowStream(
                partial(0, TestImages.png(4, 4, Color.GRAY)) + partial(1, TestImages.png(8, 8, Color.GRAY))
                        + completed(), 6, SLOWER_THAN_THE_DEADLINE_MS)));

        String body = postJson("/v1/images/generations", STREAM).then().statusCode(200).extract().asString();

        List<JsonPath> events = events(body);
        assertEquals(3, events.size(), body.length() > 300 ? body.substring(0, 300) : body);
        JsonPath done = events.get(2);
        assertEquals("image_generation.completed", done.getString("type"));
        assertArrayEquals(FINAL, TestImages.fetch(done.getString("stored_url")).body());
    }

    @Test
    void streamsCountAgainstTheUpstreamLimitLikeCalls() {
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(slowStream(
                partial(0, TestImages.png(4, 4, Color.GRAY)) + completed(), 4, 5000)));
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> postJson("/v1/images/generations",
                STREAM), CALLERS);
        CompletableFuture<Response> second = CompletableFuture.supplyAsync(() -> postJson("/v1/images/generations",
                STREAM), CALLERS);
        waitFor(() -> slots.inUse() == 2, "both streams hold a slot");

        for (String body : List.of(STREAM, "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}")) {
            postJson("/v1/images/generations", body).then().statusCode(503)
                    .header("Retry-After", "1")
                    .body("error.code", org.hamcrest.Matchers.equalTo("too_many_concurrent_requests"));
        }
        assertEquals(200, first.join().statusCode());
        assertEquals(200, second.join().statusCode());
    }

    /**
     * A caller that sends its request and never reads: the relay blocks once the connection's buffers are full; the
     * write deadline drops the caller, the upstream stream is cancelled and the slot freed while the caller's socket is
     * still open, and the request is recorded as the caller's doing. Meanwhile other callers are served.
     */
    @Test
    void aCallerThatStopsReadingIsDroppedAndItsSlotFreed() throws Exception {
        StringBuilder big = new StringBuilder();
        byte[] large = TestImages.paddedTo(TestImages.png(8, 8, Color.GRAY), 400_000);
        for (int i = 0; i < 40; i++) {
            big.append(partial(i % 3, large));
        }
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(slowStream(
                big + completed(), 40, 4000)));
        double closedBefore = clientClosedCount();

        try (Socket reader = new Socket()) {
            reader.setReceiveBufferSize(4096);
            reader.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
            byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
            OutputStream out = reader.getOutputStream();
            out.write(("POST /v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            waitFor(() -> slots.inUse() == 1, "the stream holds its slot");

            // another caller is served meanwhile (the stalled stream holds one slot of two)
            upstream.stubFor(post(urlEqualTo("/v1/images/edits")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(FINAL) + "\"}]}")));
            given().contentType("application/json").body(Map.of("prompt", "a hat", "model", "gpt-image-1",
                    "images", List.of(Map.of("image_url", TestImages.dataUrl("image/png", FINAL)))))
                    .when().post("/edit").then().statusCode(200);

            waitFor(() -> slots.inUse() == 0, "the stalled caller's slot is freed while its socket is open");
            waitFor(() -> clientClosedCount() > closedBefore, "recorded as client_closed");
            InputStream in = reader.getInputStream();
            reader.setSoTimeout(30_000);
            // what the caller can still read ends: the server closed the connection
            while (in.read(new byte[65536]) >= 0) {
                // drain
            }
        }
    }

    /** The {@code imagefn_requests} count of streams recorded as the caller's hang-up. */
    private static double clientClosedCount() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("imagefn_requests_seconds_count")
                && l.contains("outcome=\"client_closed\"")).mapToDouble(l -> Double.parseDouble(
                        l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Five calls in a row under a limit of two: each gives its slot back once its answer has been read. */
    @Test
    void theSlotIsGivenBackWhenTheAnswerHasBeenRead() {
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(FINAL) + "\"}]}")));
        for (int i = 0; i < 5; i++) {
            String url = postJson("/generate", "{\"prompt\":\"x\",\"size\":\"256x256\"}").then().statusCode(200)
                    .extract().path("data[0].url");
            assertNotNull(url);
        }
    }
}
