package io.imagefn;

import static io.imagefn.support.TestImages.dataUrl;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.imagefn.support.OpenAiSchemas;
import io.imagefn.support.TestImages;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** The /v1 encodings the SDK test does not exercise, and the stream's shape and pacing, on the embedded defaults. */
@QuarkusTest
class V1SurfaceTest {

    /** What the emulator counts per input image up to 512x512: 85 + 170 per 512-pixel tile. */
    private static final int TOKENS_PER_SMALL_IMAGE = 255;

    @TestHTTPResource("/v1/images/generations")
    URL generations;

    private static RequestSpecification form() {
        return given().multiPart("prompt", "put them together").multiPart("model", "gpt-image-1");
    }

    private static byte[] png() {
        return TestImages.png(64, 64, Color.RED);
    }

    @Test
    void acceptsASingleImagePart() {
        String body = form().multiPart("image", "a.png", png(), "image/png")
                .when().post("/v1/images/edits")
                .then().statusCode(200)
                .body("usage.input_tokens_details.image_tokens", equalTo(TOKENS_PER_SMALL_IMAGE))
                .body("data[0].stored_url", startsWith("http"))
                .extract().asString();
        OpenAiSchemas.assertValid("ImagesResponse", body);
    }

    @Test
    void acceptsRepeatedImagePartsAndImageArrayParts() {
        form().multiPart("image", "a.png", png(), "image/png").multiPart("image", "b.png", png(), "image/png")
                .when().post("/v1/images/edits")
                .then().statusCode(200)
                .body("usage.input_tokens_details.image_tokens", equalTo(2 * TOKENS_PER_SMALL_IMAGE));
        form().multiPart("image[]", "a.png", png(), "image/png").multiPart("image[]", "b.png", png(), "image/png")
                .multiPart("image[]", "c.png", png(), "image/png")
                .when().post("/v1/images/edits")
                .then().statusCode(200)
                .body("usage.input_tokens_details.image_tokens", equalTo(3 * TOKENS_PER_SMALL_IMAGE));
    }

    @Test
    void refusesMoreThanSixteenImagesInAll() {
        RequestSpecification request = form();
        for (int i = 0; i < 9; i++) {
            request.multiPart("image", "a" + i + ".png", png(), "image/png");
            request.multiPart("image[]", "b" + i + ".png", png(), "image/png");
        }
        request.when().post("/v1/images/edits")
                .then().statusCode(400).body("error.param", equalTo("images"));
    }

    @Test
    void acceptsTheJsonEditBody() {
        String body = given().contentType("application/json").body(Map.of("prompt", "a hat", "model", "gpt-image-1",
                "images", List.of(Map.of("image_url", dataUrl("image/png", png())))))
                .when().post("/v1/images/edits")
                .then().statusCode(200).body("data[0].id", startsWith("img_"))
                .extract().asString();
        OpenAiSchemas.assertValid("ImagesResponse", body);
    }

    @Test
    void acceptsAVariationForm() {
        String body = given().multiPart("image", "a.png", png(), "image/png").multiPart("n", "2")
                .multiPart("size", "256x256")
                .when().post("/v1/images/variations")
                .then().statusCode(200).body("data.size()", equalTo(2))
                .extract().asString();
        OpenAiSchemas.assertValid("ImagesResponse", body);
    }

    @Test
    void answersBadInputInTheErrorShapeWithItsStatus() {
        given().contentType("application/json").body("{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":3}")
                .when().post("/v1/images/generations")
                .then().statusCode(400).body("error.param", equalTo("n"));
        given().contentType("application/json").body("{\"prompt\": ")
                .when().post("/v1/images/generations")
                .then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
        given().multiPart("prompt", "no image")
                .when().post("/v1/images/edits")
                .then().statusCode(400).body("error.param", equalTo("images"));
        given().when().post("/v1/images/nothing")
                .then().statusCode(404).body("error.code", equalTo("unknown_url"));
    }

    @Test
    void aStreamEndsWithTheCompletedEventAndNoDoneSentinel() {
        String body = given().contentType("application/json").body(Map.of("prompt", "a fox", "model", "gpt-image-1",
                "size", "1024x1024", "stream", true, "partial_images", 1))
                .when().post("/v1/images/generations")
                .then().statusCode(200).contentType(startsWith("text/event-stream"))
                .extract().asString();

        List<String> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("event: ")) {
                events.add(line.substring(7));
            }
        }
        assertEquals(List.of("image_generation.partial_image", "image_generation.completed"), events);
        assertFalse(body.contains("[DONE]"));
        assertTrue(body.stripTrailing().endsWith("}"), "the last event is the completed image");
        eventsAreOpenAis(body, "ImageGenStreamEvent", 2);
    }

    @Test
    void everyEditStreamEventIsOpenAis() {
        String body = form().multiPart("image", "a.png", png(), "image/png").multiPart("stream", "true")
                .multiPart("partial_images", "2")
                .when().post("/v1/images/edits")
                .then().statusCode(200).contentType(startsWith("text/event-stream"))
                .extract().asString();

        eventsAreOpenAis(body, "ImageEditStreamEvent", 3);
    }

    /** Each {@code data:} line validates against OpenAI's schema of the stream's events. */
    private static void eventsAreOpenAis(String body, String schema, int expected) {
        List<String> data = body.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals(expected, data.size(), body.length() > 300 ? body.substring(0, 300) : body);
        data.forEach(event -> OpenAiSchemas.assertValid(schema, event));
    }

    @Test
    void streamsIncrementallyAsTheUpstreamProducesEvents() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(generations.toString()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a fox\",\"model\":\"gpt-image-1\","
                        + "\"size\":\"1024x1024\",\"stream\":true,\"partial_images\":2}"))
                .build();
        List<Long> arrivals = new ArrayList<>();
        List<String> types = new ArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode(), () -> generations + ": " + String.join("\n", response.body().toList()));
        response.body().filter(l -> l.startsWith("event: ")).forEach(l -> {
            arrivals.add(System.nanoTime());
            types.add(l.substring(7));
        });

        assertEquals(List.of("image_generation.partial_image", "image_generation.partial_image",
                "image_generation.completed"), types);
        long firstToLastMs = (arrivals.get(2) - arrivals.get(0)) / 1_000_000;
        // the emulator waits 300ms before each event (600ms from first to last); a buffered relay would deliver all
        // three within a few ms. The margin allows for a busy machine.
        assertTrue(firstToLastMs >= 200, "the first partial arrived only " + firstToLastMs + "ms before the end");
    }

    @Test
    void refusesABodyOverTheLimitWith413InTheErrorShape() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(generations.toString()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[65 * 1024 * 1024]))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("\"code\":\"request_too_large\""), response.body());
    }

    @Test
    void publishesAnOpenApiDocumentOfTheV1Surface() {
        given().accept("application/json").when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("paths", hasKey("/v1/images/generations"))
                .body("paths", hasKey("/v1/images/edits"))
                .body("paths", hasKey("/v1/images/variations"))
                .body("paths", not(hasKey("/emulator/v1/images/generations")));
    }
}
