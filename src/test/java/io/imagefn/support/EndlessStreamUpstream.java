package io.imagefn.support;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An upstream that streams as a long generation does: {@code stream: true} generations get one partial-image event of
 * {@link #eventBytes} every {@link #intervalMillis} for as long as the connection holds (at most
 * {@link #maxMillis}), never a completed one; every other generation gets one small image at once. WireMock holds a
 * whole body before sending it, so a stream that outlives a test's wait is served here. It records when imagefn broke
 * off each stream, which is how a test sees the upstream stream cancelled.
 */
public class EndlessStreamUpstream implements QuarkusTestResourceLifecycleManager {

    private static volatile EndlessStreamUpstream current;

    /** Bytes of the base64 image in each partial event. */
    public volatile int eventBytes = 4 * 1024 * 1024;
    public volatile long intervalMillis = 100;
    public volatile long maxMillis = 120_000;
    /** How long the first event waits (a slow start, during which a caller may leave). */
    public volatile long firstEventDelayMillis = 0;

    private final AtomicInteger streamsOpened = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong lastBrokenAt = new AtomicLong();
    private HttpServer server;
    private ExecutorService threads;

    /** The running upstream of the test class's profile. */
    public static EndlessStreamUpstream current() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/v1/images/generations", this::generation);
        server.start();
        current = this;
        return Map.of("imagefn.upstream.url", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                "imagefn.upstream.api-key", WireMockUpstream.API_KEY);
    }

    /** Restores the defaults between tests. */
    public void reset() {
        eventBytes = 4 * 1024 * 1024;
        intervalMillis = 100;
        maxMillis = 120_000;
        firstEventDelayMillis = 0;
        streamsOpened.set(0);
        calls.set(0);
        lastBrokenAt.set(0);
    }

    /** Streams opened so far. */
    public int streamsOpened() {
        return streamsOpened.get();
    }

    /** Generations asked for so far, streamed or not. */
    public int calls() {
        return calls.get();
    }

    /** When imagefn last broke off a stream ({@link System#nanoTime()}), or 0 when none was broken off. */
    public long lastBrokenAt() {
        return lastBrokenAt.get();
    }

    private void generation(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!body.replace(" ", "").contains("\"stream\":true")) {
            byte[] answer = ("{\"created\":1,\"data\":[{\"b64_json\":\""
                    + TestImages.b64(TestImages.png(8, 8, Color.GREEN)) + "\"}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            return;
        }
        streamsOpened.incrementAndGet();
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        byte[] event = partialEvent(eventBytes);
        long until = System.nanoTime() + maxMillis * 1_000_000;
        try (OutputStream out = exchange.getResponseBody()) {
            pause(firstEventDelayMillis);
            while (System.nanoTime() < until) {
                out.write(event);
                out.flush();
                pause(intervalMillis);
            }
        } catch (IOException brokenOff) {
            lastBrokenAt.set(System.nanoTime());
        } finally {
            exchange.close();
        }
    }

    /** A partial-image event whose base64 is a valid PNG padded to about {@code bytes}. */
    private static byte[] partialEvent(int bytes) {
        byte[] image = TestImages.paddedTo(TestImages.png(8, 8, Color.GRAY), bytes * 3 / 4);
        return ("event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\","
                + "\"b64_json\":\"" + TestImages.b64(image) + "\",\"partial_image_index\":0,\"output_format\":\"png\"}"
                + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
        current = null;
    }
}
