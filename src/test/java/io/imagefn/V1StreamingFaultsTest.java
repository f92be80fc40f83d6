package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/** Streaming against a WireMock upstream: what is relayed, what is stored, and what a failure looks like. */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class V1StreamingFaultsTest {

    private static final String PATH = "/v1/images/generations";
    private static final String REQUEST = "{\"prompt\":\"a fox\",\"model\":\"gpt-image-1\",\"stream\":true,"
            + "\"partial_images\":1}";
    private static final byte[] FINAL = TestImages.png(16, 16, Color.CYAN);

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        CircuitBreakerMaintenance.get().resetAll();
    }

    private static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    private static String partial() {
        return event("image_generation.partial_image", "{\"type\":\"image_generation.partial_image\",\"b64_json\":\""
                + TestImages.b64(TestImages.png(4, 4, Color.GRAY)) + "\",\"partial_image_index\":0,\"size\":\"1024x1024\","
                + "\"quality\":\"medium\",\"background\":\"opaque\",\"output_format\":\"png\",\"created_at\":1}");
    }

    private static String completed() {
        return event("image_generation.completed", "{\"type\":\"image_generation.completed\",\"b64_json\":\""
                + TestImages.b64(FINAL) + "\",\"size\":\"1024x1024\",\"quality\":\"medium\",\"background\":\"opaque\","
                + "\"output_format\":\"png\",\"created_at\":2,\"usage\":{\"total_tokens\":10,\"input_tokens\":4,"
                + "\"output_tokens\":6,\"input_tokens_details\":{\"text_tokens\":4,\"image_tokens\":0}}}");
    }

    private static ResponseDefinitionBuilder sse(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(body);
    }

    /** The {@code data:} payloads of the relayed stream. */
    private static List<JsonPath> relayed() {
        return relayed(given().contentType("application/json").body(REQUEST).when().post("/v1/images/generations")
                .then().statusCode(200).extract().asString());
    }

    private static List<JsonPath> relayed(String body) {
        List<JsonPath> data = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(JsonPath.from(line.substring(6)));
            }
        }
        return data;
    }

    @Test
    void asksTheUpstreamToStreamAndStoresTheCompletedImage() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(sse(partial() + completed())));

        List<JsonPath> events = relayed();

        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)).withRequestBody(equalToJson(
                "{\"prompt\":\"a fox\",\"model\":\"gpt-image-1\",\"stream\":true,\"partial_images\":1}")));
        assertEquals(2, events.size());
        assertEquals("image_generation.partial_image", events.get(0).getString("type"));
        assertEquals(null, events.get(0).getString("stored_url"), "partials are relayed as they are");
        JsonPath done = events.get(1);
        assertEquals(10, done.getInt("usage.total_tokens"));
        assertTrue(done.getString("id").startsWith("img_"));
        assertArrayEquals(FINAL, TestImages.fetch(done.getString("stored_url")).body());
    }

    @Test
    void relaysAnUpstreamErrorMidStreamAsAnErrorEvent() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(sse(partial() + event("error",
                "{\"error\":{\"message\":\"generation failed\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"))));

        List<JsonPath> events = relayed();

        assertEquals(2, events.size());
        assertEquals("generation failed", events.get(1).getString("error.message"));
    }

    /**
     * An event whose data spans several {@code data:} lines (legal SSE: the lines join with newlines) is relayed as
     * one line of JSON: written back as it came, its second line would lose its {@code data:} prefix and break the
     * caller's event framing.
     */
    @Test
    void relaysAMultiLineEventAsOneDataLine() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(sse(partial() + "event: error\ndata: {\"error\":\n"
                + "data: {\"message\":\"generation failed\",\n"
                + "data: \"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n")));

        String body = given().contentType("application/json").body(REQUEST).when().post("/v1/images/generations")
                .then().statusCode(200).extract().asString();

        for (String line : body.split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("event: ") || line.startsWith("data: "),
                    "an SSE line: " + line);
        }
        List<JsonPath> events = relayed(body);
        assertEquals(2, events.size());
        assertEquals("generation failed", events.get(1).getString("error.message"));
    }

    @Test
    void endsWithAnErrorEventWhenTheUpstreamSendsGarbage() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(sse(partial() + "data: {not json\n\n")));

        List<JsonPath> events = relayed();

        assertEquals("bad_upstream_response", events.get(1).getString("error.code"));
    }

    @Test
    void retriesA429BeforeTheFirstEvent() {
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("s").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("retry-after-ms", "20"))
                .willSetStateTo("ok"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("s").whenScenarioStateIs("ok")
                .willReturn(sse(partial() + completed())));

        assertEquals(2, relayed().size());
        upstream.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void answersARealStatusWhenTheUpstreamFailsBeforeAnyEvent() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500)));

        given().contentType("application/json").body(REQUEST).when().post("/v1/images/generations")
                .then().statusCode(502).body("error.type", equalTo("api_error"));
        upstream.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }
}
