package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.imagefn.support.PackagedApp;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;

/**
 * The packaged application under a heap smaller than the upstream's answer: the answer is read as it arrives and each
 * image stored as soon as it is complete, so ten large images fit a 128 MB heap; and when memory does run out, the
 * failure is imagefn's own (503), never blamed on the upstream, and the images stored before it are named.
 */
class SmallHeapIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final S3ProxyStorage STORAGE = new S3ProxyStorage();
    private static Map<String, String> bucket;
    private static HttpServer upstream;
    /** What the stub upstream answers next: these images, in order. */
    private static volatile List<byte[]> answer = List.of();

    @BeforeAll
    static void start() throws IOException {
        bucket = STORAGE.start();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.createContext("/v1/images/generations", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("x-request-id", "req_small_heap");
            exchange.sendResponseHeaders(200, 0); // chunked: the answer is written as it is encoded
            try (OutputStream out = exchange.getResponseBody()) {
                write(out, answer);
            }
        });
        upstream.start();
    }

    @AfterAll
    static void stop() {
        upstream.stop(0);
        STORAGE.stop();
    }

    /** An OpenAI images answer, each image base64-encoded while it is written (the stub holds no answer either). */
    private static void write(OutputStream out, List<byte[]> images) throws IOException {
        out.write("{\"created\":1700000000,\"data\":[".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < images.size(); i++) {
            out.write((i == 0 ? "{\"b64_json\":\"" : ",{\"b64_json\":\"").getBytes(StandardCharsets.US_ASCII));
            OutputStream b64 = Base64.getEncoder().wrap(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }
            });
            b64.write(images.get(i));
            b64.close(); // pads; the wrapped stream stays open
            out.write("\"}".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(("],\"size\":\"1536x1024\",\"quality\":\"low\",\"output_format\":\"png\",\"usage\":{\"total_tokens\":10,"
                + "\"input_tokens\":4,\"output_tokens\":6}}").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void tenLargeImagesAreAllStoredUnderA128MbHeap() throws Exception {
        byte[] noise = noisePng(1536, 1024, 1);
        assertTrue(noise.length > 4_000_000, "a noise PNG does not compress: " + noise.length);
        answer = List.of(noise, noise, noise, noise, noise, noise, noise, noise, noise, noise);
        // the answer is about 63 MB of base64 JSON; held whole (text, then bytes) it does not fit this heap
        try (PackagedApp app = launch("-Xmx128m")) {
            HttpResponse<String> r = generate(app, 10);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode data = JSON.readTree(r.body()).path("data");
            assertEquals(10, data.size());
            HashSet<String> ids = new HashSet<>();
            for (JsonNode image : data) {
                ids.add(image.path("id").asText());
                assertArrayEquals(noise, TestImages.fetch(image.path("url").asText()).body());
            }
            assertEquals(10, ids.size(), "ten images, each stored: " + ids);
        }
    }

    @Test
    void runningOutOfMemoryIsImagefnsFailureAndNamesTheImagesAlreadyStored() throws Exception {
        byte[] first = TestImages.png(64, 64, java.awt.Color.ORANGE);
        // a PNG signature and 60 MB after it: within the per-image cap, beyond what a 64 MB heap can hold
        byte[] huge = TestImages.paddedTo(first, 60 * 1024 * 1024);
        answer = List.of(first, huge);
        try (PackagedApp app = launch("-Xmx64m")) {
            HttpResponse<String> r = generate(app, 2);
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("insufficient_memory", error.path("code").asText(), r.body());
            assertEquals("api_error", error.path("type").asText());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            String message = error.path("message").asText();
            assertTrue(message.contains("not an upstream failure"), message);
            assertFalse(message.contains("unusable"), message);
            Matcher stored = Pattern.compile("(img_[a-z2-7]{26}) \\((http[^ )]+)\\)").matcher(message);
            assertTrue(stored.find(), "the image stored before the failure is named: " + message);
            assertArrayEquals(first, TestImages.fetch(stored.group(2)).body());

            answer = List.of(first);
            HttpResponse<String> next = generate(app, 1);
            assertEquals(200, next.statusCode(), "the instance serves on: " + next.body());
        }
    }

    private static byte[] noisePng(int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0xffffff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The packaged application with a production configuration (the stub upstream, the S3Proxy bucket). */
    private static PackagedApp launch(String heap) throws Exception {
        List<String> options = new ArrayList<>(List.of(heap,
                "-Dimagefn.upstream.url=http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1",
                "-Dimagefn.upstream.api-key=small-heap-test-key"));
        bucket.forEach((k, v) -> options.add("-D" + k + "=" + v));
        return PackagedApp.start(options);
    }

    private static HttpResponse<String> generate(PackagedApp app, int n) throws Exception {
        return app.post("/generate", "{\"prompt\":\"noise\",\"model\":\"gpt-image-1\",\"size\":\"1536x1024\","
                + "\"quality\":\"low\",\"n\":" + n + "}");
    }
}
