package io.imagefn.lambdahttp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.images.Sha256;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Limits behind a function URL: the key's entry of the keys document decides, a model it may not use is 403 and a
 * request over its rate is 429 {@code rate_limit_exceeded} with {@code Retry-After}, each before any upstream call,
 * and a served answer carries the key's {@code x-ratelimit-*} headers through Lambda's HTTP answer.
 */
@QuarkusTest
@TestProfile(FunctionUrlLimitsTest.Profile.class)
class FunctionUrlLimitsTest {

    static final String KEY = "sk-function-url-limits-0001";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.limits.keys-file", keysFile().toString(),
                    "imagefn.limits.ledger-prefix", "ledger/function-url-limits-" + UUID.randomUUID() + "/");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(S3ProxyStorage.class));
        }
    }

    /** A fixed path: Quarkus loads this class twice, and the application must read what was written. */
    static Path keysFile() {
        try {
            Path file = Path.of("target", "function-url-limits-keys.json").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.writeString(file, "{\"keys\":[{\"name\":\"shop\",\"sha256\":\"" + Sha256.hex(KEY) + "\","
                    + "\"models\":[\"dall-e-2\"],\"requests_per_minute\":1}]}");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void upstreamAnswers() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":5,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(16, 16, Color.RED)) + "\"}]}")));
    }

    private static JsonPath invoke(String body) throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(LambdaFunctionUrlTest.functionUrlEvent(PATH, body));
        ((ObjectNode) event.get("headers")).put("authorization", "Bearer " + KEY);
        return given().contentType("application/json").body(event.toString()).when().post("/_lambda_").then()
                .statusCode(200).extract().jsonPath();
    }

    @Test
    void aModelTheKeyMayNotUseIs403WithoutAnUpstreamCall() throws Exception {
        JsonPath answer = invoke("{\"prompt\":\"a pier\",\"model\":\"gpt-image-1\"}");

        assertEquals(403, answer.getInt("statusCode"), answer.prettify());
        assertEquals("model_not_allowed", new JsonPath(answer.getString("body")).getString("error.code"));
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void overItsRateTheKeyIsToldWhenToComeBackWithoutAnUpstreamCall() throws Exception {
        String body = "{\"prompt\":\"a pier\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";

        JsonPath served = invoke(body);
        JsonPath refused = invoke(body);

        assertEquals(200, served.getInt("statusCode"), served.prettify());
        assertEquals("1", header(served, "x-ratelimit-limit-requests"));
        assertEquals("0", header(served, "x-ratelimit-remaining-requests"));
        assertEquals(429, refused.getInt("statusCode"), refused.prettify());
        assertEquals("rate_limit_exceeded", new JsonPath(refused.getString("body")).getString("error.code"));
        long retryAfter = Long.parseLong(header(refused, "retry-after"));
        // the minute, counted in one-second slices: an admission leaves at most a slice after its minute
        assertTrue(retryAfter >= 1 && retryAfter <= 61, "within the minute's window: " + retryAfter);
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    /** A header of Lambda's HTTP answer, whatever its spelling (the answer's names are case-sensitive JSON keys). */
    private static String header(JsonPath answer, String name) {
        Map<String, Object> headers = answer.getMap("headers");
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> String.valueOf(
                e.getValue())).findFirst().orElse(null);
    }
}
