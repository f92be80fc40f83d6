package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Everything the service logs while it succeeds and fails, captured: one line per request with what an operator needs,
 * and never the upstream key, a storage secret, a URL signature, the prompt or base64 image data.
 */
@QuarkusTest
@TestProfile(RequestLogTest.Profile.class)
class RequestLogTest {

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new java.util.HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.log.json", "true");
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final String PROMPT = "a portrait of Jane Q. Private at 12 Hidden Lane";
    private static final Pattern SIGNATURE = Pattern.compile("X-Amz-Signature=([0-9a-f]{64})");
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{80,}={0,2}");

    @InjectWireMock
    WireMockServer upstream;

    private final Capture capture = new Capture();

    @BeforeEach
    void capture() {
        upstream.resetAll();
        LogContext.getLogContext().getLogger("").addHandler(capture);
    }

    @AfterEach
    void release() {
        LogContext.getLogContext().getLogger("").removeHandler(capture);
    }

    private static final class Capture extends Handler {
        final List<ExtLogRecord> records = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord record) {
            ExtLogRecord r = ExtLogRecord.wrap(record);
            r.copyAll();
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        /** Each record as a log shipper would see it: message, fields and stack trace. */
        synchronized List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (ExtLogRecord r : records) {
                StringBuilder line = new StringBuilder(r.getLoggerName()).append(' ').append(r.getFormattedMessage())
                        .append(' ').append(r.getMdcCopy());
                if (r.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    r.getThrown().printStackTrace(new PrintWriter(trace));
                    line.append(' ').append(trace);
                }
                lines.add(line.toString());
            }
            return lines;
        }
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-request-id", "req_log_" + status).withBody(body);
    }

    private static String images(int n) {
        String b64 = TestImages.b64(TestImages.png(64, 64, Color.MAGENTA));
        return "{\"created\":1,\"data\":[" + String.join(",", java.util.Collections.nCopies(n,
                "{\"b64_json\":\"" + b64 + "\"}")) + "],\"usage\":{\"input_tokens\":12,\"output_tokens\":272,"
                + "\"total_tokens\":284}}";
    }

    private String generate(String body) {
        return given().contentType("application/json").body(body).when().post("/v1/images/generations").then()
                .extract().asString();
    }

    @Test
    void logsOneLinePerRequestWithoutSecretsSignaturesPromptsOrImageData() throws Exception {
        List<String> responses = new ArrayList<>();
        // a success, returned both as signed URLs and inline
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200, images(2))));
        responses.add(generate("{\"prompt\":\"" + PROMPT + "\",\"model\":\"gpt-image-1\",\"n\":2}"));
        responses.add(generate("{\"prompt\":\"" + PROMPT + "\",\"model\":\"dall-e-2\",\"response_format\":\"b64_json\"}"));
        // the upstream refuses our key, then fails, then sends base64 that is not an image
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(401,
                "{\"error\":{\"message\":\"Incorrect API key provided: " + WireMockUpstream.API_KEY + "\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")));
        responses.add(generate("{\"prompt\":\"" + PROMPT + "\"}"));
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200,
                "{\"created\":1,\"data\":[{\"b64_json\":\"" + "QUJD".repeat(40) + "\"}]}")));
        responses.add(generate("{\"prompt\":\"" + PROMPT + "\"}"));
        // an edit whose inline input is not an image, and a prompt over the limit
        given().contentType("application/json").body("{\"prompt\":\"" + PROMPT + "\",\"images\":[{\"image_url\":"
                + "\"data:image/png;base64," + "QUJD".repeat(100) + "\"}]}").when().post("/v1/images/edits").then()
                .statusCode(400);
        responses.add(generate("{\"prompt\":\"" + PROMPT.repeat(40) + "\",\"model\":\"dall-e-2\"}"));

        List<String> lines = capture.lines();
        List<String> requestLines = lines.stream().filter(l -> l.startsWith("imagefn.request ")).toList();
        assertTrue(requestLines.size() >= 6, () -> "one line per request, got " + requestLines);
        assertTrue(requestLines.stream().anyMatch(l -> l.contains("function=generate binding=v1 model=gpt-image-1 n=2 "
                + "outcome=success status=200") && l.contains("images=2") && l.contains("upstream_request=req_log_200")
                && l.contains("cost_usd=0.01094")), () -> "a complete success line in " + requestLines);
        assertTrue(requestLines.stream().anyMatch(l -> l.contains("outcome=upstream_error status=502")
                && l.contains("error_code=upstream_auth_failed")), () -> "the refused key is visible: " + requestLines);

        List<String> signatures = new ArrayList<>();
        for (String response : responses) {
            Matcher m = SIGNATURE.matcher(response);
            while (m.find()) {
                signatures.add(m.group(1));
            }
        }
        assertFalse(signatures.isEmpty(), "the successes returned signed URLs to look for");
        for (String line : lines) {
            assertFalse(line.contains(WireMockUpstream.API_KEY), () -> "upstream key logged: " + line);
            assertFalse(line.contains("test-secret-key-0123456789"), () -> "storage secret logged: " + line);
            assertFalse(line.contains("X-Amz-Signature"), () -> "signed URL logged: " + line);
            signatures.forEach(s -> assertFalse(line.contains(s), () -> "URL signature logged: " + line));
            assertFalse(line.contains("Hidden Lane"), () -> "prompt logged: " + line);
            assertFalse(BASE64_RUN.matcher(line).find(), () -> "base64 data logged: " + line);
        }
    }

    /**
     * A request that fails after an image was stored names the stored image (id and signed URL) to the caller, who
     * paid for it; the log lines of that failure carry the URL without its signature.
     */
    @Test
    void aFailureAfterAStoredImageNamesItsUrlToTheCallerButNotInTheLog() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200, "{\"created\":1,\"data\":[{\"b64_json\":\""
                + TestImages.b64(TestImages.png(8, 8, Color.BLUE)) + "\"},{\"b64_json\":\"" + "QUJD".repeat(40)
                + "\"}]}")));

        String response = given().contentType("application/json").body("{\"prompt\":\"two\",\"model\":\"dall-e-2\","
                + "\"n\":2,\"size\":\"256x256\"}").when().post(PATH).then().statusCode(502).extract().asString();

        Matcher signature = SIGNATURE.matcher(response);
        assertTrue(signature.find(), "the caller learns where the paid image is: " + response);
        List<String> lines = capture.lines();
        assertTrue(lines.stream().anyMatch(l -> l.contains("answered 502") && l.contains("/images/img_")),
                () -> "the failure is logged with the stored image's address: " + lines);
        for (String line : lines) {
            assertFalse(line.contains("X-Amz-Signature") || line.contains(signature.group(1)),
                    () -> "signed URL logged: " + line);
        }
    }

    /**
     * What an upstream says in its error is passed on to the caller without the upstream key or any bearer token it
     * quotes, and logged on one line: a newline in its error code cannot forge a log line.
     */
    @Test
    void anUpstreamErrorIsPassedOnWithoutSecretsAndLoggedOnOneLine() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(400, "{\"error\":{\"message\":\"Your request "
                + "with Authorization: Bearer " + WireMockUpstream.API_KEY + " (key " + WireMockUpstream.API_KEY
                + ", also sk-proj-0123456789abcdef) was refused.\",\"type\":\"invalid_request_error\","
                + "\"param\":\"prompt\",\"code\":\"bad_prompt\\n2026-12-03 INFO [imagefn.request] forged\"}}")));

        String response = generate("{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}");

        assertTrue(response.contains("was refused"), response);
        assertFalse(response.contains(WireMockUpstream.API_KEY), response);
        assertFalse(response.contains("sk-proj-0123456789abcdef"), response);
        String code = io.restassured.path.json.JsonPath.from(response).getString("error.code");
        assertTrue(code.startsWith("bad_prompt") && !code.contains("\n"), "the code is one line: " + code);
        for (String line : capture.lines()) {
            assertFalse(line.contains("\n2026-12-03 INFO"), () -> "a forged line: " + line);
            assertFalse(line.contains(WireMockUpstream.API_KEY), () -> "upstream key logged: " + line);
        }
    }

    @Test
    void jsonLogsCarryTheRequestFieldsAsProperties() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(json(200, images(1))));
        generate("{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}");

        ExtLogRecord line;
        synchronized (capture) {
            line = capture.records.stream().filter(r -> "imagefn.request".equals(r.getLoggerName())).findFirst()
                    .orElseThrow();
        }
        // the console handler was switched to JSON by imagefn.log.json=true; format the line the way it does
        JsonFormatter formatter = (JsonFormatter) consoleFormatter();
        JsonNode json = new ObjectMapper().readTree(formatter.format(line));
        assertTrue(json.path("mdc").path("outcome").asText().equals("success"), json::toString);
        assertTrue(json.path("mdc").path("model").asText().equals("gpt-image-1"), json::toString);
        assertTrue(json.path("mdc").path("upstream_request").asText().equals("req_log_200"), json::toString);
    }

    private static java.util.logging.Formatter consoleFormatter() {
        java.util.Deque<Handler> handlers = new java.util.ArrayDeque<>(
                List.of(LogContext.getLogContext().getLogger("").getHandlers()));
        while (!handlers.isEmpty()) {
            Handler h = handlers.pop();
            if (h instanceof org.jboss.logmanager.handlers.ConsoleHandler) {
                return h.getFormatter();
            }
            if (h instanceof org.jboss.logmanager.ExtHandler ext) {
                handlers.addAll(List.of(ext.getHandlers()));
            }
        }
        throw new AssertionError("no console handler");
    }
}
