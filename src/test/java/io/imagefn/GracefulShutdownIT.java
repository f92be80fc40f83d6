package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged application, stopped with SIGTERM while a generation is in flight (the emulator holds it for 3 s):
 * the request still completes with its stored image, and the process exits instead of hanging.
 */
class GracefulShutdownIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void anInFlightRequestFinishesBeforeTheProcessExits() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "run after `package`: " + jar);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("imagefn-shutdown", ".log");
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dimagefn.s3.embedded.data-dir=target/it-s3", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String base = "http://127.0.0.1:" + port;
        try {
            awaitReady(base, app, log);
            post(base + "/emulator/faults", "{\"latency_ms\":3000,\"count\":1}");

            CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(json(base + "/generate",
                    "{\"prompt\":\"a slow lighthouse\",\"size\":\"256x256\"}"), HttpResponse.BodyHandlers.ofString());
            awaitInFlight(base);
            app.destroy(); // SIGTERM

            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("X-Amz-Signature"), answer.body());
            assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the process exits after the request");
            String output = Files.readString(log);
            assertTrue(output.contains("outcome=success"), "the request was logged as served:\n" + output);
        } finally {
            app.destroyForcibly();
        }
    }

    private static HttpRequest json(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build();
    }

    private static void post(String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(json(url, body), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, url + " answered " + r.statusCode() + " " + r.body());
    }

    private static void awaitReady(String base, Process app, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(app.isAlive(), () -> "the application died:\n" + read(log));
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready in 60 s:\n" + read(log));
    }

    /** Waits until the metrics show the generation being served (the upstream attempt has started). */
    private static void awaitInFlight(String base) throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.body().contains("ft_bulkhead_executionsRunning{method=\"io.imagefn.upstream.UpstreamClient.generate\"} 1.0")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the generation never reached the upstream");
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
