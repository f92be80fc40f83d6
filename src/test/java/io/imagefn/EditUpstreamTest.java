package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.imagefn.support.TestImages.dataUrl;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** The multipart requests the upstream receives for edits and variations, verified part by part. */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class EditUpstreamTest {

    private static final byte[] RESULT = TestImages.png(24, 24, Color.MAGENTA);

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void stubUpstream() {
        upstream.resetAll();
        for (String path : List.of("/v1/images/edits", "/v1/images/variations")) {
            upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"created\": 7, \"data\": [{\"b64_json\": \"" + TestImages.b64(RESULT) + "\"}]}")));
        }
    }

    private LoggedRequest onlyRequestTo(String path) {
        List<LoggedRequest> requests = upstream.findAll(postRequestedFor(urlEqualTo(path)));
        assertEquals(1, requests.size(), "upstream calls to " + path);
        LoggedRequest request = requests.get(0);
        assertEquals("Bearer " + WireMockUpstream.API_KEY, request.getHeader("Authorization"));
        assertTrue(request.getHeader("Content-Type").startsWith("multipart/form-data"));
        return request;
    }

    private static List<Request.Part> parts(LoggedRequest request, String name) {
        List<Request.Part> found = new ArrayList<>();
        for (Request.Part part : request.getParts()) {
            if (part.getName().equals(name)) {
                found.add(part);
            }
        }
        return found;
    }

    private static String text(LoggedRequest request, String name) {
        List<Request.Part> found = parts(request, name);
        assertEquals(1, found.size(), "parts named " + name);
        return found.get(0).getBody().asString();
    }

    private static void assertFile(Request.Part part, String fileName, String contentType, byte[] bytes) {
        String disposition = part.getHeader("Content-Disposition").firstValue();
        assertTrue(disposition.contains("filename=\"" + fileName + "\""), disposition);
        assertEquals(contentType, part.getHeader("Content-Type").firstValue());
        assertArrayEquals(bytes, part.getBody().asBytes());
    }

    @Test
    void oneImageTravelsAsPartImageWithTheTextFields() {
        byte[] png = TestImages.png(64, 64, Color.RED);
        JsonPath r = given().contentType("application/json").body(Map.of(
                "images", List.of(Map.of("image_url", dataUrl("image/png", png))),
                "prompt", "add a boat", "model", "gpt-image-1", "n", 2, "size", "1024x1024", "quality", "high",
                "input_fidelity", "high", "output_format", "jpeg", "output_compression", 80))
                .when().post("/edit").then().statusCode(200).extract().jsonPath();

        LoggedRequest request = onlyRequestTo("/v1/images/edits");
        assertFile(parts(request, "image").get(0), "image.png", "image/png", png);
        assertTrue(parts(request, "image[]").isEmpty());
        assertEquals("add a boat", text(request, "prompt"));
        assertEquals("gpt-image-1", text(request, "model"));
        assertEquals("2", text(request, "n"));
        assertEquals("1024x1024", text(request, "size"));
        assertEquals("high", text(request, "quality"));
        assertEquals("high", text(request, "input_fidelity"));
        assertEquals("jpeg", text(request, "output_format"));
        assertEquals("80", text(request, "output_compression"));
        assertTrue(parts(request, "response_format").isEmpty(), "GPT image models refuse response_format");
        assertTrue(parts(request, "mask").isEmpty());

        assertArrayEquals(RESULT, TestImages.fetch(r.getString("data[0].url")).body());
    }

    @Test
    void threeImagesTravelAsRepeatedImageArrayPartsWithTheirRealTypesAndTheMask() {
        byte[] png = TestImages.png(64, 64, Color.RED);
        byte[] jpeg = TestImages.jpeg(64, 64);
        byte[] webp = TestImages.webpHeader(64, 64);
        byte[] mask = TestImages.pngWithAlpha(64, 64, true);
        given().contentType("application/json").body(Map.of(
                // declared types are wrong on purpose: the bytes decide
                "images", List.of(Map.of("image_url", dataUrl("image/png", png)),
                        Map.of("image_url", dataUrl("image/png", jpeg)),
                        Map.of("image_url", dataUrl("image/jpeg", webp))),
                "mask", Map.of("image_url", dataUrl("image/png", mask)),
                "prompt", "compose them"))
                .when().post("/edit").then().statusCode(200);

        LoggedRequest request = onlyRequestTo("/v1/images/edits");
        assertTrue(parts(request, "image").isEmpty());
        List<Request.Part> images = parts(request, "image[]");
        assertEquals(3, images.size());
        assertFile(images.get(0), "image-1.png", "image/png", png);
        assertFile(images.get(1), "image-2.jpeg", "image/jpeg", jpeg);
        assertFile(images.get(2), "image-3.webp", "image/webp", webp);
        assertFile(parts(request, "mask").get(0), "mask.png", "image/png", mask);
        assertEquals("gpt-image-1.5", text(request, "model"), "the edit default model since Feb 2026");
    }

    /**
     * moderation is a field of OpenAI's JSON edit only ({@code EditImageBodyJsonParam}): such an edit reaches the
     * upstream in that form, the images and mask as data URLs of the exact bytes, and no response_format.
     */
    @Test
    void anEditWithModerationTravelsAsOpenAisJsonEditWithItsImagesAsDataUrls() throws Exception {
        byte[] png = TestImages.png(64, 64, Color.RED);
        byte[] jpeg = TestImages.jpeg(64, 64);
        byte[] mask = TestImages.pngWithAlpha(64, 64, true);
        JsonPath r = given().contentType("application/json").body(Map.of(
                "images", List.of(Map.of("image_url", dataUrl("image/png", png)),
                        Map.of("image_url", dataUrl("image/png", jpeg))),
                "mask", Map.of("image_url", dataUrl("image/png", mask)),
                "prompt", "calm the sea", "model", "gpt-image-1", "moderation", "low", "quality", "low",
                "output_format", "webp"))
                .when().post("/v1/images/edits").then().statusCode(200).extract().jsonPath();

        List<LoggedRequest> requests = upstream.findAll(postRequestedFor(urlEqualTo("/v1/images/edits")));
        assertEquals(1, requests.size());
        LoggedRequest request = requests.get(0);
        assertTrue(request.getHeader("Content-Type").startsWith("application/json"), request.getHeader("Content-Type"));
        JsonPath sent = JsonPath.from(request.getBodyAsString());
        assertEquals("low", sent.getString("moderation"));
        assertEquals("gpt-image-1", sent.getString("model"));
        assertEquals("calm the sea", sent.getString("prompt"));
        assertEquals("webp", sent.getString("output_format"));
        assertTrue(sent.get("response_format") == null, "the JSON form has no response_format");
        assertEquals("data:image/png;base64," + TestImages.b64(png), sent.getString("images[0].image_url"));
        assertEquals("data:image/jpeg;base64," + TestImages.b64(jpeg), sent.getString("images[1].image_url"));
        assertEquals("data:image/png;base64," + TestImages.b64(mask), sent.getString("mask.image_url"));
        io.imagefn.support.OpenAiSchemas.assertValid("EditImageBodyJsonParam", request.getBodyAsString());
        assertArrayEquals(RESULT, java.util.Base64.getDecoder().decode(r.getString("data[0].b64_json")));
    }

    @Test
    void aStreamedEditWithModerationTravelsAsOpenAisJsonEditToo() {
        upstream.stubFor(post(urlEqualTo("/v1/images/edits")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody("event: image_edit.completed\ndata: "
                        + "{\"type\":\"image_edit.completed\",\"b64_json\":\"" + TestImages.b64(RESULT)
                        + "\",\"size\":\"1024x1024\",\"quality\":\"low\",\"background\":\"opaque\","
                        + "\"output_format\":\"png\",\"created_at\":7,\"usage\":{\"total_tokens\":3,"
                        + "\"input_tokens\":1,\"output_tokens\":2,\"input_tokens_details\":{\"text_tokens\":1,"
                        + "\"image_tokens\":0}}}\n\n")));
        byte[] png = TestImages.png(64, 64, Color.RED);
        String events = given().contentType("application/json").body(Map.of(
                "images", List.of(Map.of("image_url", dataUrl("image/png", png))), "prompt", "calm the sea",
                "model", "gpt-image-1", "moderation", "auto", "stream", true, "partial_images", 1))
                .when().post("/v1/images/edits").then().statusCode(200).extract().asString();

        LoggedRequest request = upstream.findAll(postRequestedFor(urlEqualTo("/v1/images/edits"))).get(0);
        JsonPath sent = JsonPath.from(request.getBodyAsString());
        assertEquals("auto", sent.getString("moderation"));
        assertEquals(true, sent.getBoolean("stream"));
        assertEquals(1, sent.getInt("partial_images"));
        assertTrue(events.contains("image_edit.completed"), events);
    }

    /** OpenAI's multipart edit has no moderation: a form that sends it is refused as OpenAI refuses it. */
    @Test
    void aMultipartEditWithModerationIsRefusedAsAnUnknownParameterWithoutAnUpstreamCall() {
        given().multiPart("image", "a.png", TestImages.png(64, 64, Color.RED), "image/png")
                .multiPart("prompt", "calm the sea").multiPart("moderation", "low")
                .when().post("/v1/images/edits").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("moderation"))
                .body("error.code", org.hamcrest.Matchers.equalTo("unknown_parameter"));
        assertTrue(upstream.findAll(postRequestedFor(urlEqualTo("/v1/images/edits"))).isEmpty());
    }

    @Test
    void dallE2EditsAskForBase64() {
        byte[] png = TestImages.pngWithAlpha(64, 64, true);
        given().contentType("application/json").body(Map.of(
                "images", List.of(Map.of("image_url", dataUrl("image/png", png))), "prompt", "fill the gap",
                "model", "dall-e-2", "size", "256x256"))
                .when().post("/edit").then().statusCode(200);

        LoggedRequest request = onlyRequestTo("/v1/images/edits");
        assertEquals("dall-e-2", text(request, "model"));
        assertEquals("b64_json", text(request, "response_format"));
        assertEquals("256x256", text(request, "size"));
    }

    @Test
    void variationsTravelAsMultipartWithTheImagePart() {
        byte[] png = TestImages.png(64, 64, Color.BLUE);
        JsonPath r = given().contentType("application/json").body(Map.of(
                "image", Map.of("image_url", dataUrl("image/png", png)), "n", 3, "size", "512x512",
                "response_format", "b64_json"))
                .when().post("/variation").then().statusCode(200).extract().jsonPath();

        LoggedRequest request = onlyRequestTo("/v1/images/variations");
        assertFile(parts(request, "image").get(0), "image.png", "image/png", png);
        assertEquals("dall-e-2", text(request, "model"));
        assertEquals("3", text(request, "n"));
        assertEquals("512x512", text(request, "size"));
        assertEquals("b64_json", text(request, "response_format"));
        assertFalse(request.getParts().stream().map(Request.Part::getName).anyMatch("prompt"::equals));

        assertEquals(TestImages.b64(RESULT), r.getString("data[0].b64_json"));
        assertArrayEquals(RESULT, TestImages.fetch(r.getString("data[0].stored_url")).body());
    }

    @Test
    void editsAreRetriedLikeGenerations() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/images/edits")).willReturn(aResponse().withStatus(503)));
        given().contentType("application/json").body(Map.of(
                "images", List.of(Map.of("image_url", dataUrl("image/png", TestImages.png(8, 8, Color.RED)))),
                "prompt", "x"))
                .when().post("/edit").then().statusCode(502);
        Collection<LoggedRequest> calls = upstream.findAll(postRequestedFor(urlEqualTo("/v1/images/edits")));
        assertEquals(3, calls.size());
        io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().resetAll();
    }
}
