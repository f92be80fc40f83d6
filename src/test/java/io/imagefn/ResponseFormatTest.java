package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.support.OpenAiSchemas;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The README's table, row by row: which fields each image of an answer carries, per surface (the functions or /v1),
 * model family and {@code response_format}. On /v1 a GPT image model answers {@code b64_json} as OpenAI does (with
 * imagefn's stored copy in {@code stored_url}: an item never carries both {@code url} and {@code b64_json}), DALL·E
 * a URL; {@code response_format} chooses for any model on both surfaces; the image is
 * stored every time, and the inline bytes are the stored bytes. Every /v1 answer validates against OpenAI's schema.
 */
@QuarkusTest
class ResponseFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> URL_ONLY = Set.of("url", "id", "expires_at");
    private static final Set<String> INLINE_AND_URL = Set.of("b64_json", "stored_url", "id", "expires_at");

    static Stream<Arguments> table() {
        return Stream.of(
                // surface, operation, model, response_format, fields of each image
                Arguments.of("/v1/images", "generations", "gpt-image-1", null, INLINE_AND_URL),
                Arguments.of("/v1/images", "generations", "gpt-image-1", "url", URL_ONLY),
                Arguments.of("/v1/images", "generations", "gpt-image-1.5", "b64_json", INLINE_AND_URL),
                Arguments.of("/v1/images", "generations", "dall-e-3", null, URL_ONLY),
                Arguments.of("/v1/images", "generations", "dall-e-2", "b64_json", INLINE_AND_URL),
                Arguments.of("/v1/images", "edits", "gpt-image-1", null, INLINE_AND_URL),
                Arguments.of("/v1/images", "edits", "gpt-image-1", "url", URL_ONLY),
                Arguments.of("/v1/images", "edits", "dall-e-2", null, URL_ONLY),
                Arguments.of("/v1/images", "variations", "dall-e-2", null, URL_ONLY),
                Arguments.of("/v1/images", "variations", "dall-e-2", "b64_json", INLINE_AND_URL),
                Arguments.of("", "generate", "gpt-image-1", null, URL_ONLY),
                Arguments.of("", "generate", "gpt-image-1", "b64_json", INLINE_AND_URL),
                Arguments.of("", "generate", "dall-e-3", null, URL_ONLY),
                Arguments.of("", "edit", "gpt-image-1", null, URL_ONLY),
                Arguments.of("", "edit", "gpt-image-1-mini", "b64_json", INLINE_AND_URL),
                Arguments.of("", "variation", "dall-e-2", "url", URL_ONLY));
    }

    @ParameterizedTest(name = "{0}/{1} {2} response_format={3}")
    @MethodSource("table")
    void eachImageCarriesTheFieldsOfTheTable(String surface, String operation, String model, String format,
            Set<String> fields) throws Exception {
        String body = call(surface, operation, model, format);
        JsonNode answer = JSON.readTree(body);

        JsonNode image = answer.path("data").get(0);
        Set<String> present = new TreeSet<>();
        image.fieldNames().forEachRemaining(present::add);
        present.remove("revised_prompt");
        assertEquals(new TreeSet<>(fields), present, body.length() > 400 ? body.substring(0, 400) : body);
        byte[] stored = TestImages.fetch(image.path(image.has("url") ? "url" : "stored_url").asText()).body();
        if (image.has("b64_json")) {
            assertArrayEquals(stored, Base64.getDecoder().decode(image.path("b64_json").asText()),
                    "the inline image is the stored one");
        }
        if (surface.startsWith("/v1")) {
            OpenAiSchemas.assertValid("ImagesResponse", answer);
        }
    }

    private static String call(String surface, String operation, String model, String format) {
        byte[] square = TestImages.png(64, 64, Color.BLUE);
        boolean multipart = surface.startsWith("/v1") && !operation.equals("generations");
        if (multipart) {
            var request = given().multiPart("image", "a.png", square, "image/png").multiPart("model", model);
            if (!operation.equals("variations")) {
                request.multiPart("prompt", "add a sun");
            }
            if (format != null) {
                request.multiPart("response_format", format);
            }
            return request.when().post(surface + "/" + operation).then().statusCode(200).extract().asString();
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("model", model);
        if (format != null) {
            body.put("response_format", format);
        }
        Map<String, Object> image = Map.of("image_url", TestImages.dataUrl("image/png", square));
        switch (operation) {
            case "generations", "generate" -> body.put("prompt", "a lighthouse");
            case "edit" -> {
                body.put("prompt", "add a sun");
                body.put("images", List.of(image));
            }
            default -> body.put("image", image);
        }
        String answer = given().contentType("application/json").body(body).when().post(surface + "/" + operation)
                .then().extract().asString();
        assertTrue(answer.contains("\"data\""), answer);
        return answer;
    }
}
