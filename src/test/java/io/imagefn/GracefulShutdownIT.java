package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.imagefn.support.PackagedApp;

/**
 * The packaged application, stopped with SIGTERM while a generation is in flight (the emulator holds it for 3 s):
 * the request still completes with its stored image, and the process exits instead of hanging.
 */
class GracefulShutdownIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void anInFlightRequestFinishesBeforeTheProcessExits() throws Exception {
        try (PackagedApp app = PackagedApp.start(List.of("-Dimagefn.s3.embedded.data-dir=target/it-s3"))) {
            HttpResponse<String> faults = app.post("/emulator/faults", "{\"latency_ms\":3000,\"count\":1}");
            assertTrue(faults.statusCode() < 300, faults.statusCode() + " " + faults.body());

            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return app.post("/generate", "{\"prompt\":\"a slow lighthouse\",\"size\":\"256x256\"}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitInFlight(app.base());
            app.process().destroy(); // SIGTERM

            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("X-Amz-Signature"), answer.body());
            assertTrue(app.process().waitFor(30, TimeUnit.SECONDS), "the process exits after the request");
            String output = app.output();
            assertTrue(output.contains("outcome=success"), "the request was logged as served:\n" + output);
        }
    }

    /** Waits until the metrics show the generation being served (the upstream attempt has started). */
    private static void awaitInFlight(String base) throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.body().contains("imagefn_upstream_in_flight 1.0")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the generation never reached the upstream");
    }
}
