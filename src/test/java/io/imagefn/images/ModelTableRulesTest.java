package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generation rules, generated from the model table in both directions and checked on the rules themselves (plain
 * JUnit, no server): every value the table allows for every model is accepted, and a value just outside it is refused
 * naming its {@code param}. The Quarkus tests keep the end-to-end cases.
 */
class ModelTableRulesTest {

    private static Map<String, Object> request(ImageModel model, String param, Object value) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "a lighthouse", "model", model.name()));
        body.put(param, value);
        return body;
    }

    private static List<ImageModel> generating() {
        return ImageModel.KNOWN.values().stream()
                .filter(m -> m.operations().contains(ImageModel.Operation.GENERATE)).toList();
    }

    /** Every allowed value of every parameter, per model. */
    static Stream<Arguments> allowed() {
        List<Arguments> cases = new ArrayList<>();
        for (ImageModel m : generating()) {
            m.qualities().forEach(q -> cases.add(Arguments.of(m.name(), "quality", q)));
            m.sizes().forEach(s -> cases.add(Arguments.of(m.name(), "size", s)));
            for (int n = 1; n <= m.maxN(); n++) {
                cases.add(Arguments.of(m.name(), "n", n));
            }
            cases.add(Arguments.of(m.name(), "prompt", "p".repeat(m.maxPromptChars())));
            for (String format : List.of("url", "b64_json")) {
                cases.add(Arguments.of(m.name(), "response_format", format));
            }
            if (m.supports(ImageModel.Param.MODERATION)) {
                for (String v : List.of("low", "auto")) {
                    cases.add(Arguments.of(m.name(), "moderation", v));
                }
            }
            if (m.supports(ImageModel.Param.BACKGROUND)) {
                for (String v : List.of("transparent", "opaque", "auto")) {
                    cases.add(Arguments.of(m.name(), "background", v));
                }
            }
            if (m.supports(ImageModel.Param.OUTPUT_FORMAT)) {
                for (String v : List.of("png", "jpeg", "webp")) {
                    cases.add(Arguments.of(m.name(), "output_format", v));
                }
            }
            if (m.supports(ImageModel.Param.PARTIAL_IMAGES)) {
                for (int p = 0; p <= 3; p++) {
                    cases.add(Arguments.of(m.name(), "partial_images", p));
                }
            }
            if (m.supports(ImageModel.Param.STYLE)) {
                for (String v : List.of("vivid", "natural")) {
                    cases.add(Arguments.of(m.name(), "style", v));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("allowed")
    void everyValueTheTableAllowsIsAccepted(String model, String param, Object value) {
        ImageModel m = ImageModel.known(model).orElseThrow();
        assertDoesNotThrow(() -> ImageRules.validate(GenerateRequest.fromJson(request(m, param, value)), false));
    }

    /** A representative value just outside what the table allows, per model and parameter. */
    static Stream<Arguments> refused() {
        List<Arguments> cases = new ArrayList<>();
        for (ImageModel m : generating()) {
            cases.add(Arguments.of(m.name(), "quality", "ultra"));
            cases.add(Arguments.of(m.name(), "size", "999x999"));
            cases.add(Arguments.of(m.name(), "n", m.maxN() + 1));
            cases.add(Arguments.of(m.name(), "n", 0));
            cases.add(Arguments.of(m.name(), "prompt", "p".repeat(m.maxPromptChars() + 1)));
            cases.add(Arguments.of(m.name(), "response_format", "png"));
            // a value the model's parameter does not take, or the parameter where it does not apply
            cases.add(Arguments.of(m.name(), "style", m.supports(ImageModel.Param.STYLE) ? "pastel" : "vivid"));
            cases.add(Arguments.of(m.name(), "background", m.supports(ImageModel.Param.BACKGROUND) ? "glass"
                    : "opaque"));
            cases.add(Arguments.of(m.name(), "moderation", m.supports(ImageModel.Param.MODERATION) ? "high" : "low"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("refused")
    void aValueOutsideTheTableIsRefusedNamingItsParam(String model, String param, Object value) {
        ImageModel m = ImageModel.known(model).orElseThrow();
        ImagesApiException e = assertThrows(ImagesApiException.class,
                () -> ImageRules.validate(GenerateRequest.fromJson(request(m, param, value)), false));
        assertEquals(400, e.status());
        assertEquals(param, e.param(), e.getMessage());
    }

    /** Combinations a newcomer would try, each valid by the Images API. */
    static Stream<Map<String, Object>> combinations() {
        return Stream.of(
                Map.of("prompt", "x", "model", "dall-e-3", "quality", "hd", "size", "1792x1024", "style", "natural"),
                Map.of("prompt", "x", "model", "gpt-image-1", "moderation", "low", "background", "transparent",
                        "output_format", "webp", "output_compression", 80),
                Map.of("prompt", "x", "model", "gpt-image-2", "size", "3840x2160", "quality", "high"),
                Map.of("prompt", "x", "model", "chatgpt-image-latest", "size", "1536x1024", "n", 4),
                Map.of("prompt", "x", "model", "gpt-image-1-mini", "stream", true, "partial_images", 2),
                Map.of("prompt", "x", "model", "dall-e-2", "size", "256x256", "n", 10, "response_format", "b64_json"));
    }

    @ParameterizedTest
    @MethodSource("combinations")
    void validCombinationsAreAccepted(Map<String, Object> body) {
        assertDoesNotThrow(() -> ImageRules.validate(GenerateRequest.fromJson(body), false));
    }
}
