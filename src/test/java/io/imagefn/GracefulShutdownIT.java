package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.imagefn.support.PackagedApp;
import io.restassured.path.json.JsonPath;

/**
 * The packaged application, stopped with SIGTERM while a generation is in flight (the emulator holds it for 3 s):
 * the request still completes with its stored image, and the process exits instead of hanging.
 */
class GracefulShutdownIT {

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
            awaitFaultTaken(app);
            app.process().destroy(); // SIGTERM

            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("X-Amz-Signature"), answer.body());
            assertTrue(app.process().waitFor(30, TimeUnit.SECONDS), "the process exits after the request");
            String output = app.output();
            assertTrue(output.contains("outcome=success"), "the request was logged as served:\n" + output);
        }
    }

    /**
     * A job running on the embedded store when SIGTERM comes: it finishes within the jobs' shutdown grace and writes
     * its records before the store stops, so that after a restart on the same data the caller finds it completed (its
     * image opens) and nothing runs it, and pays for it, a second time.
     */
    @Test
    void aRunningJobWritesItsRecordsBeforeTheEmbeddedStoreStops() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "it-s3-jobs");
        List<String> options = List.of("-Dimagefn.s3.embedded.data-dir=" + data, "-Dimagefn.jobs.lease=2s");
        String id;
        try (PackagedApp app = PackagedApp.start(options)) {
            HttpResponse<String> faults = app.post("/emulator/faults", "{\"latency_ms\":4000,\"count\":1}");
            assertTrue(faults.statusCode() < 300, faults.statusCode() + " " + faults.body());
            HttpResponse<String> submitted = app.send("POST", "/v1/images/generations",
                    "{\"prompt\":\"a lighthouse in a storm\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}",
                    Duration.ofSeconds(30), "Prefer", "respond-async");
            assertEquals(202, submitted.statusCode(), submitted.body());
            id = JsonPath.from(submitted.body()).getString("id");
            awaitFaultTaken(app);
            app.process().destroy(); // SIGTERM while the job's upstream call runs

            assertTrue(app.process().waitFor(40, TimeUnit.SECONDS), "the process exits");
            String output = app.output();
            assertFalse(output.contains("could not write record"), "a record was lost:\n" + output);
        }
        try (PackagedApp again = PackagedApp.start(options)) {
            HttpResponse<String> job = again.send("GET", "/v1/images/jobs/" + id, null, Duration.ofSeconds(30));
            assertEquals(200, job.statusCode(), job.body());
            JsonPath read = JsonPath.from(job.body());
            assertEquals("completed", read.getString("status"), job.body());
            HttpResponse<byte[]> image = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    read.getString("result.data[0].url"))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, image.statusCode(), "the job's image opens after the restart");
            assertFalse(again.output().contains("dispatching it again"), "the job ran again:\n" + again.output());
        }
    }

    /**
     * Waits until the emulator has taken its queued fault: it holds the generation's request (an upstream slot is
     * taken a moment before the request arrives, and a stop in between would refuse it at the door).
     */
    private static void awaitFaultTaken(PackagedApp app) throws Exception {
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> r = app.send("GET", "/emulator/faults", null, Duration.ofSeconds(5));
            if (r.statusCode() == 200 && r.body().contains("\"pending\":0")) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the generation never reached the emulator");
    }
}
