package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.imagefn.support.PackagedApp;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;

/**
 * The packaged application builds its storage and upstream clients while it starts (imagefn.prime-at-start, on by
 * default), so that its first caller does not wait for them, and sends nothing anywhere while doing so; switched off,
 * the clients are left to the first request, which still succeeds.
 */
class StartupPrimingIT {

    private static final S3ProxyStorage STORAGE = new S3ProxyStorage();
    private static Map<String, String> bucket;
    private static HttpServer upstream;
    private static final AtomicInteger UPSTREAM_CALLS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        bucket = STORAGE.start();
        byte[] png = TestImages.png(16, 16, Color.BLUE);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.createContext("/", exchange -> {
            UPSTREAM_CALLS.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"created\":1700000000,\"data\":[{\"b64_json\":\""
                    + Base64.getEncoder().encodeToString(png) + "\"}]}").getBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
    }

    @AfterAll
    static void stop() {
        upstream.stop(0);
        STORAGE.stop();
    }

    @Test
    void theClientsAreBuiltAtStartupWithoutCallingAnyone() throws Exception {
        UPSTREAM_CALLS.set(0);
        try (PackagedApp app = launch()) {
            String log = app.output();
            assertTrue(log.contains("Primed: storage clients, upstream client"), log);
            assertTrue(log.indexOf("Primed: ") < log.indexOf("started in"), "primed before it says started:\n" + log);
            assertFalse(log.contains("Priming at startup failed"), log);
            assertEquals(0, UPSTREAM_CALLS.get(), "priming sends nothing upstream");
            assertGenerates(app);
        }
    }

    @Test
    void switchedOffTheFirstRequestBuildsThem() throws Exception {
        try (PackagedApp app = launch("-Dimagefn.prime-at-start=false")) {
            assertFalse(app.output().contains("Primed: "), app.output());
            assertGenerates(app);
        }
    }

    private static void assertGenerates(PackagedApp app) throws Exception {
        HttpResponse<String> r = app.post("/generate",
                "{\"prompt\":\"a start\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}");
        assertEquals(200, r.statusCode(), r.body());
        String url = new ObjectMapper().readTree(r.body())
                .path("data").path(0).path("url").asText();
        assertEquals(200, TestImages.fetch(url).statusCode(), url);
    }

    private static PackagedApp launch(String... extra) throws Exception {
        List<String> options = new ArrayList<>(List.of(
                "-Dimagefn.upstream.url=http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1",
                "-Dimagefn.upstream.api-key=priming-test-key"));
        bucket.forEach((k, v) -> options.add("-D" + k + "=" + v));
        options.addAll(List.of(extra));
        return PackagedApp.start(options);
    }
}
