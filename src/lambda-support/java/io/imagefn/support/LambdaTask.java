package io.imagefn.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import com.github.tomakehurst.wiremock.client.WireMock;

import io.quarkus.amazon.lambda.runtime.MockEventServer;

/**
 * A Lambda build's {@code target/function.zip} run as Lambda runs it: unpacked; for the JVM build its root and
 * {@code lib/} on the classpath and AWS's Runtime Interface Client (the managed Java runtime's own loop) calling
 * {@code handler}, for a native build its {@code bootstrap} (the custom runtime); either polls the runtime API at
 * {@code AWS_LAMBDA_RUNTIME_API} (Quarkus's mock event server here). Configured
 * only through the environment, as a deployment is: a WireMock upstream and an S3Proxy bucket started here, their
 * settings as {@code IMAGEFN_*} variables. Test support for the Lambda builds' production-configured ITs.
 */
public final class LambdaTask implements Closeable {

    private final WireMockUpstream upstreamResource = new WireMockUpstream();
    private final S3ProxyStorage bucketResource = new S3ProxyStorage();
    private final MockEventServer runtimeApi = new MockEventServer();
    private final Process process;
    private final Path log;
    /** The WireMock upstream, driven over its admin API. */
    public final WireMock upstream;

    public LambdaTask(String handler, Map<String, String> extraEnvironment) throws Exception {
        Map<String, String> config = new HashMap<>(upstreamResource.start());
        config.putAll(bucketResource.start());
        URI upstreamUrl = URI.create(config.get("imagefn.upstream.url"));
        upstream = new WireMock(upstreamUrl.getHost(), upstreamUrl.getPort());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        runtimeApi.start(port);

        Path task = unpack(Path.of("target/function.zip"));
        // the runtime's classpath: the task root, its lib/, and the Runtime Interface Client (from this test's)
        StringBuilder classpath = new StringBuilder(task.toString()).append(File.pathSeparator)
                .append(task.resolve("lib")).append(File.separator).append('*');
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("aws-lambda-java-runtime-interface-client")
                    || entry.contains("aws-lambda-java-serialization")) {
                classpath.append(File.pathSeparator).append(entry);
            }
        }
        log = Files.createTempFile("imagefn-lambda-task", ".log");
        Path bootstrap = task.resolve("bootstrap");
        ProcessBuilder pb = Files.isRegularFile(bootstrap)
                // a native build (provided.al2023): the custom runtime's bootstrap polls the runtime API itself
                ? new ProcessBuilder(executable(bootstrap).toString())
                : new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        // as Quarkus's own launcher does: the Lambda runtime (Java 21) needs no opens, newer JDKs do
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                        "-cp", classpath.toString(), "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                        handler);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("IMAGEFN_") || k.equals("OPENAI_API_KEY")
                || k.startsWith("QUARKUS_") || k.startsWith("AWS_"));
        config.forEach((key, value) -> pb.environment().put(env(key), value));
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + port + MockEventServer.BASE_PATH);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("_HANDLER", handler);
        pb.environment().putAll(extraEnvironment);
        process = pb.start();
    }

    private static Path unpack(Path zip) throws IOException {
        assertTrue(Files.isRegularFile(zip), "run after `package -Dbinding=lambda` (or lambda-http)");
        Path task = Files.createTempDirectory("imagefn-lambda-task");
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            for (var entry : Collections.list(archive.entries())) {
                Path to = task.resolve(entry.getName()).normalize();
                if (entry.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    try (InputStream in = archive.getInputStream(entry)) {
                        Files.copy(in, to);
                    }
                }
            }
        }
        return task;
    }

    private static Path executable(Path file) {
        file.toFile().setExecutable(true);
        return file;
    }

    /** {@code imagefn.s3.bucket} as the environment variable a deployment sets: {@code IMAGEFN_S3_BUCKET}. */
    private static String env(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The upstream answers every generation with {@code image}. */
    public LambdaTask answeringGenerationsWith(byte[] image) {
        upstream.register(WireMock.post(WireMock.urlEqualTo("/v1/images/generations")).willReturn(WireMock
                .aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"created\":3,\"data\":[{\"b64_json\":\"" + TestImages.b64(image) + "\"}]}")));
        return this;
    }

    /** Invokes the function with {@code event} and returns the runtime API's answer (the result, or the error). */
    public HttpResponse<String> invoke(String event) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + runtimeApi.getPort() + MockEventServer.POST_EVENT)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What the function wrote, for a failure message. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runtimeApi.close();
        bucketResource.stop();
        upstreamResource.stop();
    }
}
