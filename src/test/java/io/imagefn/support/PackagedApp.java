package io.imagefn.support;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar ({@code target/quarkus-app}) run as its own process on a free port, for the integration tests that
 * need what {@code @QuarkusIntegrationTest} does not give: JVM options, or a signal mid-request. Started ready (its
 * readiness answers 200); closing it stops it (SIGTERM, then killed after 20 s).
 */
public record PackagedApp(Process process, String base, Path log) implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Starts the jar with these JVM options (system properties included) before {@code -jar}. */
    public static PackagedApp start(List<String> jvmOptions) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "run after `package`: " + jar);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-jar", jar.toString()));
        Path log = Files.createTempFile("imagefn-packaged", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedApp app = new PackagedApp(process, "http://127.0.0.1:" + port, log);
        try {
            app.awaitReady();
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return app;
    }

    /** POSTs a JSON body to {@code path} and waits for the whole answer (two minutes at most). */
    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, Duration.ofSeconds(120));
    }

    /** POSTs a JSON body to {@code path} and waits up to {@code timeout} for the whole answer. */
    public HttpResponse<String> post(String path, String json, Duration timeout)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A request with headers ({@code name, value, ...}), as a front with a {@code timeout} would send it. */
    public HttpResponse<String> send(String method, String path, String json, Duration timeout, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the application died:\n" + output());
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready in 60 s:\n" + output());
    }

    /** What the process has written so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
