package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Malformed requests across every function and both HTTP surfaces, against a recording upstream: each one is answered
 * with a 4xx in the OpenAI error shape whose message (or {@code param}) names the problem, none with a 5xx and none
 * left unanswered, the upstream sees no call at all (no verdict is borrowed from an upstream that refuses too), and
 * the process is healthy and serving afterwards.
 */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class BadInputTest {

    @InjectWireMock
    WireMockServer upstream;



    private record Case(String name, String path, String contentType, byte[] body, String names) {
    }

    private static final List<Case> CASES = new ArrayList<>();
    private static final io.restassured.config.RestAssuredConfig TIMEOUT = io.restassured.RestAssured.config()
            .httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                    .setParam("http.socket.timeout", 15_000));

    private static void json(String name, String path, String body, String names) {
        CASES.add(new Case(name, path, "application/json", body.getBytes(StandardCharsets.UTF_8), names));
    }

    /** The same body on the function path and on the OpenAI surface. */
    private static void both(String function, String name, String body, String names) {
        json(name + " (" + function + ")", "/" + function, body, names);
        json(name + " (/v1)", function.equals("generate") ? "/v1/images/generations" : "/v1/images/edits", body, names);
    }

    private static String dataUrl(byte[] bytes) {
        return TestImages.dataUrl("image/png", bytes);
    }

    private static byte[] multipart(String boundary, String... parts) {
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            b.append("--").append(boundary).append("\r\n").append(part).append("\r\n");
        }
        b.append("--").append(boundary).append("--\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static {
        String nested = "[".repeat(5000) + "]".repeat(5000);
        String hugePrompt = "x".repeat(10 * 1024 * 1024);
        String notAnImage = "data:image/png;base64,QUJDREVGR0g=";
        String giant = dataUrl(TestImages.pngClaiming(100_000, 100_000));
        String square = dataUrl(TestImages.png(64, 64, Color.RED));

        // wrong JSON types, out-of-range and odd numbers
        both("generate", "prompt is a number", "{\"prompt\":5}", "prompt");
        both("generate", "n is a string", "{\"prompt\":\"x\",\"n\":\"2\"}", "'n'");
        both("generate", "n is huge", "{\"prompt\":\"x\",\"n\":123456789012345678901234567890}", "'n'");
        both("generate", "n is negative", "{\"prompt\":\"x\",\"n\":-1}", "'n'");
        both("generate", "n is fractional", "{\"prompt\":\"x\",\"n\":1.5}", "'n'");
        json("n is zero", "/generate", "{\"prompt\":\"x\",\"n\":0}", "'n'");
        json("n in exponent form", "/v1/images/generations", "{\"prompt\":\"x\",\"n\":1e400}", "'n'");
        json("model is an object", "/generate", "{\"prompt\":\"x\",\"model\":{}}", "model");
        json("stream is a string", "/v1/images/generations", "{\"prompt\":\"x\",\"stream\":\"yes\"}", "stream");
        both("generate", "a 10 MB prompt", "{\"prompt\":\"" + hugePrompt + "\"}", "prompt");
        json("empty prompt", "/generate", "{\"prompt\":\"\"}", "prompt");
        json("unknown size", "/generate", "{\"prompt\":\"x\",\"size\":\"big\"}", "size");
        json("quality the model lacks", "/generate", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"quality\":\"hd\"}",
                "quality");
        json("compression out of range", "/generate",
                "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"output_format\":\"jpeg\",\"output_compression\":500}",
                "output_compression");
        json("unknown field", "/v1/images/generations", "{\"prompt\":\"x\",\"colour\":\"red\"}", "colour");
        json("style on a GPT model", "/generate", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"style\":\"vivid\"}",
                "style");

        // bodies that are not the JSON object asked for
        both("generate", "deeply nested JSON", "{\"prompt\":" + nested + "}", "json");
        CASES.add(new Case("invalid UTF-8 (generate)", "/generate", "application/json",
                concat("{\"prompt\":\"caf".getBytes(StandardCharsets.US_ASCII), new byte[] { (byte) 0xC3, (byte) 0x28 },
                        "\"}".getBytes(StandardCharsets.US_ASCII)), "json"));
        CASES.add(new Case("invalid UTF-8 (/v1)", "/v1/images/generations", "application/json",
                concat("{\"prompt\":\"caf".getBytes(StandardCharsets.US_ASCII), new byte[] { (byte) 0xFF, (byte) 0xFE },
                        "\"}".getBytes(StandardCharsets.US_ASCII)), "json"));
        json("empty body (/v1)", "/v1/images/generations", "", "json");
        json("a JSON array", "/generate", "[1,2]", "json");
        json("truncated JSON", "/v1/images/generations", "{\"prompt\":\"x\"", "json");
        CASES.add(new Case("wrong content type (/v1)", "/v1/images/generations", "text/plain",
                "{\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8), "content"));
        CASES.add(new Case("wrong content type (generate)", "/generate", "text/plain",
                "{\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8), "content"));
        // a gateway in front may read these another way than imagefn would: refused, not resolved silently
        json("a duplicate key (/v1)", "/v1/images/generations", "{\"prompt\":\"a cat\",\"prompt\":\"a dog\"}",
                "duplicate");
        json("a duplicate key (generate)", "/generate", "{\"prompt\":\"a cat\",\"prompt\":\"a dog\"}", "json");
        json("content after the JSON value (/v1)", "/v1/images/generations", "{\"prompt\":\"a cat\"} {\"n\":5}",
                "trailing");
        json("content after the JSON value (generate)", "/generate", "{\"prompt\":\"a cat\"} {\"n\":5}", "json");
        CASES.add(new Case("an XML body (/v1)", "/v1/images/generations", "application/xml",
                "<prompt>x</prompt>".getBytes(StandardCharsets.UTF_8), "content"));

        // image inputs that are not images, or lie about themselves
        both("edit", "base64 that is not an image", "{\"prompt\":\"x\",\"images\":[{\"image_url\":\"" + notAnImage
                + "\"}]}", "image");
        both("edit", "a PNG header claiming 100000x100000", "{\"prompt\":\"x\",\"images\":[{\"image_url\":\"" + giant
                + "\"}]}", "image");
        json("images is not a list", "/edit", "{\"prompt\":\"x\",\"images\":\"cat.png\"}", "images");
        json("17 images", "/edit", "{\"prompt\":\"x\",\"images\":[" + String.join(",",
                java.util.Collections.nCopies(17, "{\"image_url\":\"" + square + "\"}")) + "]}", "images");
        json("an unknown file_id", "/v1/images/edits", "{\"prompt\":\"x\",\"images\":[{\"file_id\":\"img_"
                + "a".repeat(26) + "\"}]}", "stored image");
        // refused by the address policy's own check, before any connection
        json("a cloud metadata URL", "/edit", "{\"prompt\":\"x\",\"images\":[{\"image_url\":"
                + "\"https://169.254.169.254/latest/meta-data/\"}]}", "resolves to a non-public address");
        json("a mask without images", "/edit", "{\"prompt\":\"x\",\"mask\":{\"image_url\":\"" + square + "\"}}",
                "image");
        json("edit without a prompt", "/edit", "{\"images\":[{\"image_url\":\"" + square + "\"}]}", "prompt");

        // variations
        json("variation of a JPEG", "/variation", "{\"image\":{\"image_url\":\""
                + TestImages.dataUrl("image/jpeg", TestImages.jpeg(64, 64)) + "\"}}", "png");
        json("variation of a non-square PNG", "/variation", "{\"image\":{\"image_url\":\""
                + dataUrl(TestImages.png(64, 32, Color.RED)) + "\"}}", "square");
        json("variation with dall-e-3", "/variation", "{\"image\":{\"image_url\":\"" + square
                + "\"},\"model\":\"dall-e-3\"}", "model");
        json("variation n=11", "/variation", "{\"image\":{\"image_url\":\"" + square + "\"},\"n\":11}", "'n'");

        // multipart forms
        String boundary = "b0undary";
        CASES.add(new Case("multipart edit without an image", "/v1/images/edits", "multipart/form-data; boundary="
                + boundary, multipart(boundary, "Content-Disposition: form-data; name=\"prompt\"\r\n\r\nx"), "image"));
        CASES.add(new Case("multipart edit whose image is text", "/v1/images/edits", "multipart/form-data; boundary="
                + boundary, multipart(boundary, "Content-Disposition: form-data; name=\"prompt\"\r\n\r\nx",
                        "Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                                + "Content-Type: image/png\r\n\r\nnot a png"), "image"));
        CASES.add(new Case("multipart without a boundary", "/v1/images/edits", "multipart/form-data",
                "--x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "multipart"));
        CASES.add(new Case("multipart variation, no parts", "/v1/images/variations", "multipart/form-data; boundary="
                + boundary, multipart(boundary), "image"));
        CASES.add(new Case("multipart variation, n not a number", "/v1/images/variations",
                "multipart/form-data; boundary=" + boundary, multipart(boundary,
                        "Content-Disposition: form-data; name=\"n\"\r\n\r\nmany",
                        "Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png"
                                + "\r\n\r\n" + new String(TestImages.png(8, 8, Color.RED), StandardCharsets.ISO_8859_1)),
                "'n'"));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void anotherMethodThanPostOnAFunctionIs405() {
        given().when().get("/generate?prompt=x").then().statusCode(405).header("Allow", "POST")
                .body("error.code", equalTo("method_not_allowed"));
        given().when().put("/edit").then().statusCode(405);
    }

    /** Caller input quoted in an error is cut short: a 100,000-character value is not echoed back whole. */
    @Test
    void aHugeValueIsNotEchoedWhole() {
        String huge = "x".repeat(100_000);
        for (String body : List.of("{\"prompt\":\"a\",\"model\":\"" + huge + "\"}",
                "{\"prompt\":\"a\",\"quality\":\"" + huge + "\"}", "{\"prompt\":\"a\",\"" + huge + "\":1}")) {
            String message = given().contentType("application/json").body(body).when().post("/generate").then()
                    .statusCode(400).extract().path("error.message");
            assertTrue(message.length() < 400, message.length() + " characters: " + message.substring(0, 100));
        }
        String message = given().contentType("application/json").body("{\"prompt\":\"a\",\"model\":\"gpt-image-1\","
                + "\"images\":[{\"image_url\":\"https://" + huge + ".example/cat.png\"}]}").when().post("/edit").then()
                .statusCode(400).extract().path("error.message");
        assertTrue(message.length() < 400, message.length() + " characters");
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL root;

    /** Uploads the client abandons are not logged as our failures, one ERROR line each. */
    @Test
    void abortedUploadsAreNotLoggedAsErrors() throws Exception {
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    errors.add(r.getLoggerName() + ": " + r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        org.jboss.logmanager.LogContext.getLogContext().getLogger("").addHandler(capture);
        try {
            for (int i = 0; i < 5; i++) {
                try (java.net.Socket socket = new java.net.Socket(root.getHost(), root.getPort())) {
                    var out = socket.getOutputStream();
                    out.write(("POST /v1/images/edits HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; "
                            + "boundary=b\r\nContent-Length: 10000000\r\n\r\n--b\r\nContent-Disposition: form-data; "
                            + "name=\"image\"; filename=\"a.png\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[64 * 1024]);
                    out.flush();
                }
            }
            // every aborted upload has been handled once the bytes reserved for it are given back
            boolean handled = false;
            for (int i = 0; i < 600 && !handled; i++) {
                handled = given().when().get("/q/metrics").then().extract().asString().lines()
                        .anyMatch(l -> l.startsWith("imagefn_memory_held ") && l.endsWith(" 0.0"));
                Thread.sleep(handled ? 0 : 100);
            }
            assertTrue(handled, "the aborted uploads were handled (imagefn_memory_held back to 0)");
        } finally {
            org.jboss.logmanager.LogContext.getLogContext().getLogger("").removeHandler(capture);
        }
        assertTrue(errors.isEmpty(), errors::toString);
        given().when().get("/q/health/live").then().statusCode(200);
    }

    /** Junk paths do not mint a metrics series each: 404s share one uri tag. */
    @Test
    void junkPathsShareOneMetricsSeries() {
        for (int i = 0; i < 5; i++) {
            given().contentType("application/json").body("{}").when().post("/v1/zz" + i).then().statusCode(404);
        }
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(!metrics.contains("uri=\"/v1/zz"), metrics.lines().filter(l -> l.contains("/v1/zz")).findFirst()
                .orElse(""));
    }

    @Test
    void everyMalformedRequestIsA4xxThatNamesTheProblemAndTheProcessStaysHealthy() {
        upstream.resetAll();
        assertTrue(CASES.size() >= 40, "at least 40 cases, have " + CASES.size());
        List<String> wrong = new ArrayList<>();
        for (Case c : CASES) {
            RequestSpecification request = given().config(TIMEOUT).header("Content-Type", c.contentType())
                    .body(c.body());
            Response r;
            try {
                r = request.when().post(c.path());
            } catch (Exception e) {
                wrong.add("no answer: " + c.name() + " -> " + e);
                continue;
            }
            int status = r.statusCode();
            String message;
            String param;
            try {
                message = r.jsonPath().getString("error.message");
                param = r.jsonPath().getString("error.param");
            } catch (RuntimeException notJson) {
                message = null;
                param = null;
            }
            String seen = c.name() + " -> " + status + " " + message;
            if (status < 400 || status >= 500) {
                wrong.add("not a 4xx: " + seen);
            } else if (message == null || message.isBlank()) {
                wrong.add("no OpenAI error message: " + seen);
            } else if (!(message + " param=" + param).toLowerCase(Locale.ROOT)
                    .contains(c.names().toLowerCase(Locale.ROOT).replace("'", ""))
                    && !message.toLowerCase(Locale.ROOT).contains(c.names().toLowerCase(Locale.ROOT))) {
                wrong.add("message does not name '" + c.names() + "': " + seen);
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
        upstream.verify(0, anyRequestedFor(anyUrl()));

        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(8, 8, Color.RED)) + "\"}]}")));
        given().contentType("application/json").body("{\"prompt\":\"still here\",\"size\":\"256x256\"}")
                .when().post("/generate").then().statusCode(200).body("data[0].url", startsWith("http"));
    }
}
