package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;

import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.amazon.lambda.runtime.MockEventServer;

/**
 * The packaged Lambda build run as the managed Java runtime runs it: {@code target/function.zip} unpacked, its root and
 * {@code lib/} on the classpath, and AWS's Runtime Interface Client (the runtime's own loop) calling the handler the
 * SAM template names against the runtime API at {@code AWS_LAMBDA_RUNTIME_API} (Quarkus's mock event server here).
 * Configured only through its environment, as the template configures it: a WireMock upstream and an S3Proxy bucket
 * the test starts, {@code QUARKUS_FUNQY_EXPORT} picking the function. No emulator, no embedded S3 server.
 */
class ProductionConfiguredLambdaIT {

    private static final byte[] PRODUCED = TestImages.png(40, 40, Color.YELLOW);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As deploy/aws/template.yaml names it for the invoke functions. */
    private static final String HANDLER = "io.imagefn.function.LambdaStreamHandler::handleRequest";

    private static WireMockUpstream upstreamResource;
    private static S3ProxyStorage bucketResource;
    private static MockEventServer runtimeApi;
    private static Process function;
    private static Path log;
    /** The WireMock upstream, driven over its admin API. */
    private static WireMock upstream;

    @BeforeAll
    static void deploy() throws Exception {
        Map<String, String> config = new HashMap<>();
        upstreamResource = new WireMockUpstream();
        config.putAll(upstreamResource.start());
        bucketResource = new S3ProxyStorage();
        config.putAll(bucketResource.start());
        URI upstreamUrl = URI.create(config.get("imagefn.upstream.url"));
        upstream = new WireMock(upstreamUrl.getHost(), upstreamUrl.getPort());
        upstream.register(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":3,\"data\":[{\"b64_json\":\"" + TestImages.b64(PRODUCED) + "\"}]}")));

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        runtimeApi = new MockEventServer();
        runtimeApi.start(port);

        Path zip = Path.of("target/function.zip");
        assertTrue(Files.isRegularFile(zip), "run after `package -Dbinding=lambda`");
        Path task = Files.createTempDirectory("imagefn-lambda-task");
        try (java.util.zip.ZipFile archive = new java.util.zip.ZipFile(zip.toFile())) {
            for (var entry : java.util.Collections.list(archive.entries())) {
                Path to = task.resolve(entry.getName()).normalize();
                if (entry.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    try (var in = archive.getInputStream(entry)) {
                        Files.copy(in, to);
                    }
                }
            }
        }
        // the runtime's classpath: the task root, its lib/, and the Runtime Interface Client (from this test's)
        StringBuilder classpath = new StringBuilder(task.toString()).append(File.pathSeparator)
                .append(task.resolve("lib")).append(File.separator).append('*');
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("aws-lambda-java-runtime-interface-client")
                    || entry.contains("aws-lambda-java-serialization")) {
                classpath.append(File.pathSeparator).append(entry);
            }
        }
        log = Files.createTempFile("imagefn-lambda-production", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // what Quarkus's own launcher opens; the Lambda runtime (Java 21) does not need it, a newer JDK does
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", classpath.toString(), "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                HANDLER).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("IMAGEFN_") || k.equals("OPENAI_API_KEY")
                || k.startsWith("QUARKUS_") || k.startsWith("AWS_"));
        config.forEach((key, value) -> pb.environment().put(env(key), value));
        pb.environment().put("QUARKUS_FUNQY_EXPORT", "generate");
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + port + MockEventServer.BASE_PATH);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("_HANDLER", HANDLER);
        function = pb.start();
    }

    /** {@code imagefn.s3.bucket} as the environment variable a deployment sets: {@code IMAGEFN_S3_BUCKET}. */
    private static String env(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    @AfterAll
    static void undeploy() throws Exception {
        if (function != null) {
            function.destroy();
            function.waitFor(10, TimeUnit.SECONDS);
        }
        if (runtimeApi != null) {
            runtimeApi.close();
        }
        bucketResource.stop();
        upstreamResource.stop();
    }

    private static HttpResponse<String> invoke(String event) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + runtimeApi.getPort() + MockEventServer.POST_EVENT)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anInvocationIsAnsweredWithAnImageInTheConfiguredBucket() throws Exception {
        HttpResponse<String> r = invoke("{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\"}");

        assertEquals(200, r.statusCode(), r.body() + "\n" + Files.readString(log));
        JsonNode result = JSON.readTree(r.body());
        String url = result.at("/data/0/url").asText();
        assertTrue(url.contains("/" + S3ProxyStorage.BUCKET + "/"), url);
        assertArrayEquals(PRODUCED, TestImages.fetch(url).body());
        upstream.verifyThat(postRequestedFor(urlEqualTo("/v1/images/generations"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + WireMockUpstream.API_KEY)));
    }

    /** The runtime reports the class the handler threw as errorType, and its message, the OpenAI error. */
    @Test
    void aRefusalFailsTheInvocationWithImagefnsErrorType() throws Exception {
        HttpResponse<String> r = invoke("{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}");

        assertTrue(r.statusCode() >= 400, r.statusCode() + " " + r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals("io.imagefn.function.InvalidRequestError", error.path("errorType").asText(), r.body());
        assertEquals("n", JSON.readTree(error.path("errorMessage").asText()).at("/error/param").asText(), r.body());
    }
}
