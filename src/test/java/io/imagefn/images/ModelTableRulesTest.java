package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The model table and the generation rules, held to {@code spec/image-models.json}: a fixture written by hand from the
 * API reference ({@code shared/spec/images-api.md} and OpenAI's OpenAPI document), never derived from
 * {@link ImageModel}. Both ways: every model and limit of the fixture is in the table and no other, every value the
 * fixture allows for a model is accepted, and every value it lists for the Images API but not for that model is
 * refused naming its {@code param}. Plain JUnit, no server.
 */
class ModelTableRulesTest {

    private static final JsonNode SPEC = read();

    private static JsonNode read() {
        try (InputStream in = ModelTableRulesTest.class.getResourceAsStream("/spec/image-models.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, JsonNode> specModels() {
        Map<String, JsonNode> models = new HashMap<>();
        SPEC.path("models").fields().forEachRemaining(e -> models.put(e.getKey(), e.getValue()));
        return models;
    }

    static Stream<String> models() {
        return specModels().keySet().stream().sorted();
    }

    @Test
    void theTableHasExactlyTheModelsOfTheSpec() {
        assertEquals(new TreeSet<>(specModels().keySet()), new TreeSet<>(ImageModel.KNOWN.keySet()));
    }

    @ParameterizedTest
    @MethodSource("models")
    void eachTableEntryStatesTheSpecsLimits(String name) {
        JsonNode spec = specModels().get(name);
        ImageModel table = ImageModel.known(name).orElseThrow();
        Set<String> operations = new TreeSet<>();
        table.operations().forEach(op -> operations.add(switch (op) {
            case GENERATE -> "generations";
            case EDIT -> "edits";
            case VARIATION -> "variations";
        }));
        assertEquals(strings(spec.path("operations")), operations, "operations");
        assertEquals(spec.path("prompt_max_chars").asInt(), table.maxPromptChars(), "prompt length");
        assertEquals(spec.path("n_max").asInt(), table.maxN(), "n");
        assertEquals(strings(spec.path("qualities")), new TreeSet<>(table.qualities()), "qualities");
        assertEquals(strings(spec.path("sizes")), new TreeSet<>(table.sizes()), "sizes");
        assertEquals(spec.path("free_form_sizes").asBoolean(), table.supports(ImageModel.Param.FREE_FORM_SIZE),
                "free-form sizes");
        Set<String> params = new TreeSet<>();
        table.params().stream().filter(p -> p != ImageModel.Param.FREE_FORM_SIZE).forEach(p -> params.add(p.field()));
        assertEquals(strings(spec.path("params")), params, "parameters");
        assertEquals(spec.path("upstream_takes_response_format").asBoolean(), table.answer().takesResponseFormat(),
                "response_format");
        if (spec.has("edit_inputs")) {
            JsonNode inputs = spec.path("edit_inputs");
            assertEquals(inputs.path("max_images").asInt(), table.editInputs().maxImages(), "edit images");
            assertEquals(inputs.path("max_bytes").asLong(), table.editInputs().maxBytes(), "edit image bytes");
            assertEquals(inputs.path("square_png_only").asBoolean(), table.editInputs().squarePngs(), "square PNGs");
        }
    }

    private static Map<String, Object> request(String model, String param, Object value) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "a lighthouse", "model", model));
        body.put(param, value);
        return body;
    }

    private static Stream<Map.Entry<String, JsonNode>> generating() {
        return specModels().entrySet().stream()
                .filter(e -> strings(e.getValue().path("operations")).contains("generations"))
                .sorted(Map.Entry.comparingByKey());
    }

    private static List<Object> values(String param) {
        List<Object> out = new ArrayList<>();
        SPEC.path("values").path(param).forEach(v -> out.add(v.isInt() ? (Object) v.asInt() : v.asText()));
        return out;
    }

    /** Every value the fixture allows, per generating model. */
    static Stream<Arguments> allowed() {
        List<Arguments> cases = new ArrayList<>();
        generating().forEach(e -> {
            String m = e.getKey();
            JsonNode spec = e.getValue();
            strings(spec.path("qualities")).forEach(q -> cases.add(Arguments.of(m, "quality", q)));
            strings(spec.path("sizes")).forEach(s -> cases.add(Arguments.of(m, "size", s)));
            for (int n = 1; n <= spec.path("n_max").asInt(); n++) {
                cases.add(Arguments.of(m, "n", n));
            }
            cases.add(Arguments.of(m, "prompt", "p".repeat(spec.path("prompt_max_chars").asInt())));
            // imagefn's extension (README): response_format chooses the answer's shape for any model, and is sent
            // upstream only to the models that take it
            values("response_format").forEach(v -> cases.add(Arguments.of(m, "response_format", v)));
            for (String param : strings(spec.path("params"))) {
                values(param).forEach(v -> cases.add(Arguments.of(m, param, v)));
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("allowed")
    void everyValueTheSpecAllowsIsAccepted(String model, String param, Object value) {
        assertDoesNotThrow(() -> ImageRules.validate(GenerateRequest.fromJson(request(model, param, value)), false));
    }

    /**
     * Every value the Images API knows that the fixture does not allow for the model, the limits plus one, and every
     * generation parameter that does not apply to the model.
     */
    static Stream<Arguments> refused() {
        List<Arguments> cases = new ArrayList<>();
        generating().forEach(e -> {
            String m = e.getKey();
            JsonNode spec = e.getValue();
            Set<String> qualities = strings(spec.path("qualities"));
            values("quality").stream().filter(q -> !qualities.contains(q))
                    .forEach(q -> cases.add(Arguments.of(m, "quality", q)));
            if (!spec.path("free_form_sizes").asBoolean()) {
                Set<String> sizes = strings(spec.path("sizes"));
                values("size").stream().filter(s -> !sizes.contains(s))
                        .forEach(s -> cases.add(Arguments.of(m, "size", s)));
                cases.add(Arguments.of(m, "size", "1280x720"));
            }
            cases.add(Arguments.of(m, "n", spec.path("n_max").asInt() + 1));
            cases.add(Arguments.of(m, "n", 0));
            cases.add(Arguments.of(m, "prompt", "p".repeat(spec.path("prompt_max_chars").asInt() + 1)));
            cases.add(Arguments.of(m, "response_format", "png"));
            Set<String> params = strings(spec.path("params"));
            for (String param : strings(SPEC.path("generation_params"))) {
                if (!params.contains(param)) {
                    Object value = param.equals("output_compression") ? 80 : param.equals("stream") ? true
                            : values(param).get(0);
                    cases.add(Arguments.of(m, param, value));
                }
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("refused")
    void aValueTheSpecDoesNotAllowIsRefusedNamingItsParam(String model, String param, Object value) {
        ImagesApiException e = assertThrows(ImagesApiException.class,
                () -> ImageRules.validate(GenerateRequest.fromJson(request(model, param, value)), false));
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
