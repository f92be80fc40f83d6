package io.imagefn.lambdahttp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The HTTP surface inside Lambda behind a function URL: raw function-URL events (API Gateway payload 2.0) posted to
 * Quarkus's Lambda mock event server, answered with real HTTP statuses in the Lambda HTTP response.
 */
@QuarkusTest
@TestProfile(LambdaFunctionUrlTest.Profile.class)
class LambdaFunctionUrlTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(S3ProxyStorage.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PRODUCED = TestImages.png(32, 32, Color.BLUE);

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void upstreamAnswers() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":5,\"data\":[{\"b64_json\":\"" + TestImages.b64(PRODUCED) + "\"}]}")));
    }

    /** A Lambda function URL event (payload format 2.0) for a JSON POST. */
    static String functionUrlEvent(String path, String body) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0").put("routeKey", "$default").put("rawPath", path).put("rawQueryString", "");
        event.putObject("headers").put("content-type", "application/json")
                .put("host", "abcdef.lambda-url.us-east-1.on.aws");
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "anonymous").put("apiId", "abcdef").put("domainName",
                "abcdef.lambda-url.us-east-1.on.aws").put("domainPrefix", "abcdef").put("requestId", "req-1")
                .put("routeKey", "$default").put("stage", "$default").put("time", "24/Nov/2026:10:00:00 +0000")
                .put("timeEpoch", 1795428000000L);
        context.putObject("http").put("method", "POST").put("path", path).put("protocol", "HTTP/1.1")
                .put("sourceIp", "203.0.113.7").put("userAgent", "test");
        event.put("body", body).put("isBase64Encoded", false);
        return event.toString();
    }

    private static JsonPath invoke(String event) {
        return given().contentType("application/json").body(event).when().post("/_lambda_").then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void aFunctionUrlEventGets200WithSignedUrls() {
        for (String path : List.of("/generate", "/v1/images/generations")) {
            JsonPath response = invoke(functionUrlEvent(path,
                    "{\"prompt\":\"a pier\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}"));

            assertEquals(200, response.getInt("statusCode"), response.prettify());
            JsonPath body = new JsonPath(response.getString("body"));
            String url = body.getString("data[0].url");
            assertArrayEquals(PRODUCED, TestImages.fetch(url).body(), path);
        }
        upstream.verify(2, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    @Test
    void aBadRequestGets400WithTheOpenAiErrorBody() {
        JsonPath response = invoke(functionUrlEvent("/v1/images/generations",
                "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}"));

        assertEquals(400, response.getInt("statusCode"), response.prettify());
        JsonPath body = new JsonPath(response.getString("body"));
        assertEquals("invalid_request_error", body.getString("error.type"));
        assertEquals("n", body.getString("error.param"));
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    /**
     * Lambda freezes the process once the answer is sent, so nothing may run detached: this build does not apply
     * {@code Prefer: respond-async} (RFC 7240 lets a server ignore a preference) and answers as usual.
     */
    @Test
    void respondAsyncIsNotAppliedOnLambdaAndTheAnswerIsTheUsualOne() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(functionUrlEvent("/v1/images/generations",
                "{\"prompt\":\"a pier\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}"));
        ((ObjectNode) event.get("headers")).put("prefer", "respond-async");
        JsonPath response = invoke(event.toString());

        assertEquals(200, response.getInt("statusCode"), response.prettify());
        assertEquals((String) null, response.getString("headers.Preference-Applied"));
        assertArrayEquals(PRODUCED, TestImages.fetch(new JsonPath(response.getString("body"))
                .getString("data[0].url")).body());
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    @Test
    void plainHttpThroughTheMockServerReachesTheSameSurface() {
        given().contentType("application/json").body("{\"prompt\":\"a pier\",\"size\":\"256x256\",\"model\":\"dall-e-2\"}")
                .when().post("/generate").then().statusCode(200).body("data[0].url", containsString("X-Amz-Signature"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
