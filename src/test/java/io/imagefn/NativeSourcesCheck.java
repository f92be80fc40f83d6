package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The input of {@code native-image}, as Quarkus writes it with {@code -Dnative -Dquarkus.native.sources-only=true}
 * ({@code target/native-sources}), is what we mean to ship: no development stand-in or test library in {@code lib/}
 * nor in the application, Quarkus's feature in the arguments, and the resources read at runtime registered. Run by
 * .ci/run for the HTTP and Knative builds (the Lambda extensions refuse this package type):
 * {@code ./mvnw verify -Dnative -Dquarkus.native.sources-only=true -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -DskipITs=false -Dit.test=NativeSourcesCheck}.
 */
class NativeSourcesCheck {

    private static final Path SOURCES = Path.of("target/native-sources");
    /**
     * Development stand-ins (the embedded S3 server) and test libraries: never in a native executable. (The CloudEvents
     * SDK's HTTP binding is the Knative build's own, for jobs; its JSON format module is the tests'.)
     */
    private static final List<String> FORBIDDEN_LIBS = List.of("s3proxy", "jimfs", "jakarta.servlet-api",
            "tools.jackson.dataformat", "wiremock", "junit", "rest-assured", "openai-java", "cloudevents-json-jackson",
            "json-schema-validator", "opentelemetry-sdk-testing");

    private static Path runner() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no runner jar in " + SOURCES));
        }
    }

    @Test
    void libHoldsNoStandInOrTestLibrary() throws IOException {
        assertTrue(Files.isDirectory(SOURCES.resolve("lib")), "build with -Dnative -Dquarkus.native.sources-only=true");
        List<String> libs;
        try (Stream<Path> files = Files.list(SOURCES.resolve("lib"))) {
            libs = files.map(f -> f.getFileName().toString()).toList();
        }
        List<String> found = libs.stream().filter(l -> FORBIDDEN_LIBS.stream().anyMatch(l::contains)).toList();
        assertTrue(found.isEmpty(), "in lib/: " + found);
        assertTrue(libs.stream().anyMatch(l -> l.contains("software.amazon.awssdk.s3-")), "the S3 SDK is there");
    }

    @Test
    void theApplicationHoldsNoEmulatorOrEmbeddedServer() throws IOException {
        try (ZipFile jar = new ZipFile(runner().toFile())) {
            List<String> standIns = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("io/imagefn/emulator/") || n.equals("io/imagefn/storage/EmbeddedS3.class"))
                    .toList();
            assertTrue(standIns.isEmpty(), standIns.toString());
        }
    }

    @Test
    void theArgumentsCarryQuarkussFeatureAndHeadlessMode() throws IOException {
        String args = Files.readString(SOURCES.resolve("native-image.args"));
        assertTrue(args.contains("--features=io.quarkus.runner.Feature"), args);
        assertTrue(args.contains("-Djava.awt.headless=true"), args);
        assertTrue(args.contains("--no-fallback"), "no JVM fallback image");
    }

    @Test
    void theResourcesReadAtRuntimeAreRegistered() throws IOException {
        JsonNode config;
        try (ZipFile jar = new ZipFile(runner().toFile())) {
            config = new ObjectMapper().readTree(jar.getInputStream(jar.getEntry(
                    "META-INF/native-image/resource-config.json")));
        }
        StringBuilder patterns = new StringBuilder();
        // patterns are regular expressions: \Q...\E quoted, or with escaped dots
        config.at("/resources/includes").forEach(i -> patterns.append(i.path("pattern").asText()
                .replace("\\Q", "").replace("\\E", "").replace("\\.", ".")).append('\n'));
        for (String resource : Set.of("imagefn/prices.json", "imagefn/openapi.json")) {
            assertTrue(patterns.toString().contains(resource), resource + " is not registered:\n" + patterns);
        }
        try (ZipFile jar = new ZipFile(runner().toFile())) {
            assertEquals(1, jar.stream().filter(e -> e.getName().equals("imagefn/prices.json")).count(),
                    "the price table is in the runner jar");
        }
    }
}
