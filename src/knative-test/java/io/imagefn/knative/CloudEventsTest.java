package io.imagefn.knative;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * The Knative build ({@code -Dbinding=knative}): each function triggered by its own CloudEvent type, in binary and structured
 * content mode, answering with a result event whose data holds signed URLs that open; a bad request is refused with
 * HTTP 400 and the OpenAI error body (no result event), which a Knative broker does not retry.
 */
@QuarkusTest
class CloudEventsTest {

    record Call(String function, String body) {
    }

    static List<Call> calls() {
        String square = TestImages.dataUrl("image/png", TestImages.png(64, 64, Color.ORANGE));
        return List.of(
                new Call("generate", "{\"prompt\":\"a kite\",\"size\":\"256x256\"}"),
                new Call("edit", "{\"prompt\":\"add a moon\",\"model\":\"gpt-image-1\",\"images\":[{\"image_url\":\""
                        + square + "\"}]}"),
                new Call("variation", "{\"image\":{\"image_url\":\"" + square + "\"},\"size\":\"256x256\"}"));
    }

    @ParameterizedTest
    @MethodSource("calls")
    void binaryModeEventsAreAnsweredWithAResultEvent(Call call) {
        String id = UUID.randomUUID().toString();
        Response r = given().header("ce-id", id).header("ce-source", "/tests/binary").header("ce-specversion", "1.0")
                .header("ce-type", "imagefn." + call.function()).contentType("application/json").body(call.body())
                .when().post("/");

        r.then().statusCode(200)
                .header("ce-type", "imagefn." + call.function() + ".result")
                .header("ce-source", "imagefn")
                .header("ce-id", not(emptyOrNullString()))
                .header("ce-specversion", "1.0");
        imagesOpen(r.jsonPath(), "");
    }

    @ParameterizedTest
    @MethodSource("calls")
    void structuredModeEventsAreAnsweredInStructuredMode(Call call) {
        String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/tests/structured\","
                + "\"type\":\"imagefn." + call.function() + "\",\"datacontenttype\":\"application/json\",\"data\":"
                + call.body() + "}";
        Response r = given().contentType("application/cloudevents+json").body(event).when().post("/");

        r.then().statusCode(200).contentType("application/cloudevents+json")
                .body("type", equalTo("imagefn." + call.function() + ".result"))
                .body("source", equalTo("imagefn"))
                .body("specversion", equalTo("1.0"))
                .body("id", not(emptyOrNullString()));
        imagesOpen(r.jsonPath(), "data.");
    }

    @Test
    void anInvalidRequestIsA400WithTheOpenAiErrorBody() {
        given().header("ce-id", "bad-1").header("ce-source", "/tests").header("ce-specversion", "1.0")
                .header("ce-type", "imagefn.generate").contentType("application/json")
                .body("{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":3}")
                .when().post("/").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("n"));
    }

    @Test
    void anUnknownEventTypeIsRefused() {
        Response r = given().header("ce-id", "odd-1").header("ce-source", "/tests").header("ce-specversion", "1.0")
                .header("ce-type", "imagefn.unknown").contentType("application/json").body("{}").when().post("/");
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, "status " + r.statusCode());
    }

    private static void imagesOpen(JsonPath json, String prefix) {
        List<Map<String, Object>> data = json.getList(prefix + "data");
        assertTrue(!data.isEmpty(), "images in " + json.prettify());
        for (Map<String, Object> image : data) {
            var fetched = TestImages.fetch((String) image.get("url"));
            assertEquals(200, fetched.statusCode());
            assertTrue(TestImages.decode(fetched.body()).getWidth() > 0);
        }
    }
}
