package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.imagefn.support.EndlessStreamUpstream;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.upstream.UpstreamSlots;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A stream caller that stops reading, as a real one does: a small receive window that fills once, then nothing read,
 * against an upstream that keeps sending 4-MB partial images long after the test's wait (as a 3-minute generation
 * does). The caller is dropped within the write timeout (plus a few seconds), its upstream stream is cancelled and its
 * slot freed, while another caller is served; a caller that leaves before the first event frees its slot by the same
 * deadline.
 */
@QuarkusTest
@TestProfile(StalledStreamReaderTest.Profile.class)
class StalledStreamReaderTest {

    private static final long WRITE_TIMEOUT_SECONDS = 3;
    /** What "within the write timeout" allows on top: the buffers filling, the close, a loaded machine. */
    private static final long SLACK_SECONDS = 5;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>();
            overrides.put("imagefn.streams.write-timeout", WRITE_TIMEOUT_SECONDS + "s");
            // the upstream's own deadline is far beyond the test's wait: only the write deadline can free the slot
            overrides.put("imagefn.upstream.timeout-seconds", "300");
            overrides.put("imagefn.upstream.max-concurrent-calls", "2");
            return overrides;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EndlessStreamUpstream.class),
                    new TestResourceEntry(S3ProxyStorage.class));
        }
    }

    private static final String STREAM = "{\"prompt\":\"a fox\",\"model\":\"gpt-image-1\",\"stream\":true,"
            + "\"partial_images\":3}";

    @Inject
    UpstreamSlots slots;

    private EndlessStreamUpstream upstream;

    @BeforeEach
    void reset() {
        upstream = EndlessStreamUpstream.current();
        upstream.reset();
    }

    @AfterEach
    void everySlotComesBack() {
        waitFor(() -> slots.inUse() == 0, 150, "every upstream slot given back");
    }

    @Test
    void aReaderThatStopsReadingMultiMegabyteEventsIsDroppedWithinTheWriteTimeout() throws Exception {
        double closedBefore = clientClosedCount();
        try (Socket caller = new Socket()) {
            caller.setReceiveBufferSize(4096);
            caller.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
            send(caller, STREAM);
            InputStream in = caller.getInputStream();
            byte[] first = new byte[4096];
            int read = in.read(first);
            assertTrue(read > 0 && new String(first, 0, read, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"),
                    "the stream started");
            // from here on the caller reads nothing more
            long stalledAt = System.nanoTime();

            // another caller is served meanwhile: the stalled stream holds one slot of two
            given().contentType("application/json")
                    .body("{\"prompt\":\"a hat\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}")
                    .when().post("/v1/images/generations").then().statusCode(200);

            long bound = TimeUnit.SECONDS.toNanos(WRITE_TIMEOUT_SECONDS + SLACK_SECONDS);
            waitFor(() -> slots.inUse() == 0, 150, "the stalled caller's slot freed");
            long freedAfter = System.nanoTime() - stalledAt;
            System.out.printf("measured: a stalled reader of 4-MB events was dropped and its slot freed %d ms after "
                    + "it stopped reading (write timeout %d s)%n", TimeUnit.NANOSECONDS.toMillis(freedAfter),
                    WRITE_TIMEOUT_SECONDS);
            assertTrue(freedAfter <= bound, "slot freed " + TimeUnit.NANOSECONDS.toMillis(freedAfter)
                    + " ms after the caller stopped reading; the bound is " + TimeUnit.NANOSECONDS.toMillis(bound)
                    + " ms");
            waitFor(() -> upstream.lastBrokenAt() != 0, 10, "the upstream stream cancelled");
            assertTrue(upstream.lastBrokenAt() - stalledAt <= bound, "the upstream stream was cancelled "
                    + TimeUnit.NANOSECONDS.toMillis(upstream.lastBrokenAt() - stalledAt) + " ms after the stall");
            waitFor(() -> clientClosedCount() > closedBefore, 10, "recorded as client_closed");
            assertTrue(caller.isConnected() && !caller.isClosed(), "the caller never hung up itself");
        }
    }

    @Test
    void aCallerThatLeavesBeforeTheFirstEventFreesItsSlotByTheSameDeadline() throws Exception {
        upstream.firstEventDelayMillis = 1500;
        long leftAt;
        try (Socket caller = new Socket()) {
            caller.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
            send(caller, STREAM);
            waitFor(() -> upstream.streamsOpened() == 1, 10, "the upstream stream opened");
            leftAt = System.nanoTime();
        }
        long bound = TimeUnit.SECONDS.toNanos(WRITE_TIMEOUT_SECONDS + SLACK_SECONDS) + 1_500_000_000L;
        waitFor(() -> slots.inUse() == 0, 150, "the departed caller's slot freed");
        long freedAfter = System.nanoTime() - leftAt;
        System.out.printf("measured: a caller that left before the first event had its slot freed %d ms later%n",
                TimeUnit.NANOSECONDS.toMillis(freedAfter));
        assertTrue(freedAfter <= bound, "slot freed " + TimeUnit.NANOSECONDS.toMillis(freedAfter)
                + " ms after the caller left; the bound is " + TimeUnit.NANOSECONDS.toMillis(bound) + " ms");
        waitFor(() -> upstream.lastBrokenAt() != 0, 10, "the upstream stream cancelled");
        assertNotEquals(0, upstream.lastBrokenAt());
        assertEquals(1, upstream.calls());
    }

    /**
     * A caller that reads gets multi-MB partial images as the upstream sends them, not one a minute: the events are
     * read in one pass however the network cuts them. (The REST client's own parser took 40 s for each 4-MB event.)
     */
    @Test
    void aReaderGetsMultiMegabyteEventsAsTheUpstreamSendsThem() throws Exception {
        upstream.maxMillis = 2000;
        try (Socket caller = new Socket()) {
            caller.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
            // far above the ~2 s this takes; on the parser that rescans, twenty 4-MB events take 800 s
            caller.setSoTimeout(60_000);
            send(caller, STREAM);
            String body = new String(caller.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            int partials = body.split("event: image_generation.partial_image", -1).length - 1;
            assertTrue(partials >= 10, partials + " partial images relayed of the ~20 the upstream sent");
        }
    }

    private static void send(Socket caller, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = caller.getOutputStream();
        out.write(("POST /v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static void waitFor(BooleanSupplier condition, int seconds, String what) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
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
}
