package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.imagefn.images.ImageModel;
import io.imagefn.support.OpenAiSchemas;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Every answer of {@code /v1}, for every model of the table and every operation it serves, judged by OpenAI's own
 * OpenAPI document: generations (as OpenAI answers each model, and with the other response_format), streamed
 * generations event by event, edits as JSON, as multipart, with {@code moderation} (OpenAI's JSON edit upstream) and
 * streamed, and variations. The answers come from the offline emulator through imagefn's whole path.
 */
@QuarkusTest
@TestProfile(OpenAiConformanceTest.FastStreams.class)
class OpenAiConformanceTest {

    /** The emulator's streams without their watchable pauses. */
    public static class FastStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.emulator.stream-delay", "10ms");
        }
    }

    private static final AtomicInteger JUDGED = new AtomicInteger();
    private static final byte[] PHOTO = TestImages.png(64, 64, Color.ORANGE);
    private static final byte[] SQUARE_WITH_ALPHA = TestImages.pngWithAlpha(64, 64, true);

    @AfterAll
    static void tell() {
        System.out.printf("measured: %d answers of /v1 validated against OpenAI's OpenAPI document%n", JUDGED.get());
    }

    /** One case per model and way of asking that the model serves. */
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (ImageModel model : ImageModel.KNOWN.values()) {
            boolean gpt = model.supports(ImageModel.Param.STREAM);
            String other = model.answer().inlineOnV1() ? "url" : "b64_json";
            if (model.operations().contains(ImageModel.Operation.GENERATE)) {
                cases.add(Arguments.of(model.name(), "generation"));
                cases.add(Arguments.of(model.name(), "generation with response_format " + other));
                if (gpt) {
                    cases.add(Arguments.of(model.name(), "streamed generation"));
                }
            }
            if (model.operations().contains(ImageModel.Operation.EDIT)) {
                cases.add(Arguments.of(model.name(), "JSON edit"));
                cases.add(Arguments.of(model.name(), "multipart edit"));
                if (gpt) {
                    cases.add(Arguments.of(model.name(), "JSON edit with moderation"));
                    cases.add(Arguments.of(model.name(), "streamed edit"));
                }
            }
            if (model.operations().contains(ImageModel.Operation.VARIATION)) {
                cases.add(Arguments.of(model.name(), "variation"));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void theAnswerIsWhatOpenAisDocumentDescribes(String modelName, String way) {
        ImageModel model = ImageModel.known(modelName).orElseThrow();
        String size = model.sizes().iterator().next().equals("auto") ? "1024x1024" : first(model);
        switch (way) {
            case "generation" -> images(json(Map.of("model", modelName, "prompt", "a quiet harbour", "size", size))
                    .post("/v1/images/generations"));
            case "streamed generation" -> events("ImageGenStreamEvent", json(Map.of("model", modelName, "prompt",
                    "a quiet harbour", "size", size, "stream", true, "partial_images", 1))
                    .post("/v1/images/generations"));
            case "JSON edit" -> images(json(edit(model, size, Map.of())).post("/v1/images/edits"));
            case "JSON edit with moderation" -> images(json(edit(model, size, Map.of("moderation", "low")))
                    .post("/v1/images/edits"));
            case "multipart edit" -> images(given().multiPart("image", "in.png", input(model), "image/png")
                    .multiPart("prompt", "add a boat").multiPart("model", modelName).multiPart("size", size)
                    .when().post("/v1/images/edits"));
            case "streamed edit" -> events("ImageEditStreamEvent", given().multiPart("image", "in.png", PHOTO,
                    "image/png").multiPart("prompt", "add a boat").multiPart("model", modelName)
                    .multiPart("size", size).multiPart("stream", "true").multiPart("partial_images", "1")
                    .when().post("/v1/images/edits"));
            case "variation" -> images(given().multiPart("image", "in.png", SQUARE_WITH_ALPHA, "image/png")
                    .multiPart("model", modelName).multiPart("size", size).when().post("/v1/images/variations"));
            default -> {
                String format = way.substring(way.lastIndexOf(' ') + 1);
                images(json(Map.of("model", modelName, "prompt", "a quiet harbour", "size", size, "response_format",
                        format)).post("/v1/images/generations"));
            }
        }
    }

    private static String first(ImageModel model) {
        return model.sizes().stream().filter(s -> !s.equals("auto")).sorted().findFirst().orElseThrow();
    }

    private static byte[] input(ImageModel model) {
        return model.editInputs().squarePngs() ? SQUARE_WITH_ALPHA : PHOTO;
    }

    private static Map<String, Object> edit(ImageModel model, String size, Map<String, Object> more) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("model", model.name(), "prompt", "add a boat", "size",
                size, "images", List.of(Map.of("image_url", TestImages.dataUrl("image/png", input(model))))));
        body.putAll(more);
        return body;
    }

    private static RequestSpecification json(Map<String, Object> body) {
        return given().contentType("application/json").body(body).when();
    }

    private static void images(Response r) {
        assertEquals(200, r.statusCode(), r.asString());
        OpenAiSchemas.assertValid("ImagesResponse", r.asString());
        JUDGED.incrementAndGet();
    }

    private static void events(String schema, Response r) {
        assertEquals(200, r.statusCode(), r.asString());
        int events = 0;
        for (String line : r.asString().split("\n")) {
            if (line.startsWith("data: ")) {
                OpenAiSchemas.assertValid(schema, line.substring(6));
                events++;
                JUDGED.incrementAndGet();
            }
        }
        assertTrue(events >= 2, events + " events: a partial image and the completed one");
    }
}
