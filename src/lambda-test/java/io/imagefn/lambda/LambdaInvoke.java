package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.response.Response;

/**
 * Invokes the Lambda build's exported function through Quarkus's Lambda mock event server (RestAssured talks to it:
 * the body is the invocation event, the answer the function's result or its error), with a WireMock upstream and an
 * S3Proxy bucket configured as a deployment would.
 */
abstract class LambdaInvoke {

    static final String SQUARE = TestImages.dataUrl("image/png", TestImages.png(64, 64, Color.GREEN));

    @InjectWireMock
    WireMockServer upstream;

    /** The upstream path the exported function calls. */
    abstract String path();

    /** An event the function serves. */
    abstract String goodEvent();

    /** An event it refuses, and the {@code param} the refusal names. */
    abstract String badEvent();

    abstract String badParam();

    @Test
    void anEventIsAnsweredWithSignedUrls() {
        upstreamAnswers(upstream, path());

        resultOpens(invoke(goodEvent()));

        upstreamCalls(upstream, path(), 1);
    }

    @Test
    void aBadRequestFailsTheInvocationWithTheOpenAiError() throws Exception {
        upstreamAnswers(upstream, path());

        JsonNode error = refusal(invoke(badEvent()));

        assertEquals(400, error.path("status").asInt(), error.toString());
        assertEquals("invalid_request_error", error.at("/error/type").asText());
        assertEquals(badParam(), error.at("/error/param").asText());
        upstreamCalls(upstream, path(), 0);
    }

    /** A deployment exporting one function, as QUARKUS_FUNQY_EXPORT does. */
    abstract static class Export implements QuarkusTestProfile {
        private final String function;

        Export(String function) {
            this.function = function;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", function, "imagefn.upstream.retry.initial-delay", "20ms",
                    "imagefn.upstream.retry.max-delay", "100ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(S3ProxyStorage.class));
        }
    }

    static final byte[] PRODUCED = TestImages.png(32, 32, Color.MAGENTA);

    static void upstreamAnswers(WireMockServer upstream, String path) {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":5,\"data\":[{\"b64_json\":\"" + TestImages.b64(PRODUCED) + "\"}]}")));
    }

    static Response invoke(String event) {
        return given().contentType("application/json").accept("application/json").body(event).when().post();
    }

    /** The result carries signed URLs into the bucket that open the bytes the upstream produced. */
    static void resultOpens(Response r) {
        assertEquals(200, r.statusCode(), r.asString());
        List<String> urls = r.jsonPath().getList("data.url");
        assertEquals(1, urls.size(), r.asString());
        assertTrue(urls.get(0).contains("X-Amz-Signature="));
        assertArrayEquals(PRODUCED, TestImages.fetch(urls.get(0)).body());
    }

    private static final String REFUSED = "io.imagefn.function.InvalidRequestError: ";

    /**
     * A refused invocation through Quarkus's own poll loop (the mock event server, and the native runtime): the
     * {@code errorType} is Funqy's wrapper, the {@code errorMessage} names imagefn's error class and carries the OpenAI
     * error body with the HTTP status. (The JVM handler reports the class itself; see LambdaHandlerTest.)
     */
    static JsonNode refusal(Response r) throws Exception {
        assertTrue(r.statusCode() >= 400, "the invocation failed: " + r.statusCode() + " " + r.asString());
        String message = new ObjectMapper().readTree(r.asString()).path("errorMessage").asText();
        assertTrue(message.startsWith(REFUSED), message);
        return new ObjectMapper().readTree(message.substring(REFUSED.length()));
    }

    static void upstreamCalls(WireMockServer upstream, String path, int n) {
        upstream.verify(n, postRequestedFor(urlEqualTo(path)));
    }
}
