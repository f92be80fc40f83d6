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
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The edit and variation rules (spec §3 and §4) and the generation default model (§1), held to the hand-written
 * fixture {@code spec/image-models.json} and the reference's text, plain JUnit. Bytes (formats, sizes of the inputs)
 * are checked later and elsewhere; these are the fields.
 */
class EditAndVariationRulesTest {

    private static final JsonNode SPEC = read();
    private static final Map<String, Object> IMAGE = Map.of("image_url", "data:image/png;base64,AAAA");

    private static JsonNode read() {
        try (InputStream in = EditAndVariationRulesTest.class.getResourceAsStream("/spec/image-models.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static Stream<Map.Entry<String, JsonNode>> editing() {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        SPEC.path("models").fields().forEachRemaining(e -> {
            if (strings(e.getValue().path("operations")).contains("edits")) {
                out.add(e);
            }
        });
        return out.stream();
    }

    private static Edit edit(String model, String param, Object value) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "a hat", "model", model, "images", List.of(IMAGE)));
        body.put(param, value);
        return ImageRules.validateEdit(EditRequest.fromJson(body), false);
    }

    static Stream<Arguments> editAllowed() {
        List<Arguments> cases = new ArrayList<>();
        editing().forEach(e -> {
            String m = e.getKey();
            JsonNode spec = e.getValue();
            // spec §3: edits take no hd
            strings(spec.path("qualities")).stream().filter(q -> !q.equals("hd"))
                    .forEach(q -> cases.add(Arguments.of(m, "quality", q)));
            strings(spec.path("sizes")).forEach(s -> cases.add(Arguments.of(m, "size", s)));
            for (int n = 1; n <= spec.path("n_max").asInt(); n++) {
                cases.add(Arguments.of(m, "n", n));
            }
            cases.add(Arguments.of(m, "prompt", "p".repeat(spec.path("prompt_max_chars").asInt())));
            Set<String> params = strings(spec.path("params"));
            if (params.contains("input_fidelity")) {
                cases.add(Arguments.of(m, "input_fidelity", "high"));
                cases.add(Arguments.of(m, "input_fidelity", "low"));
            }
            if (params.contains("background")) {
                SPEC.path("values").path("background").forEach(v -> cases.add(Arguments.of(m, "background",
                        v.asText())));
            }
            if (params.contains("output_format")) {
                SPEC.path("values").path("output_format").forEach(v -> cases.add(Arguments.of(m, "output_format",
                        v.asText())));
            }
            // spec §3b: the JSON edit form takes moderation (low/auto) for the GPT image models
            if (params.contains("moderation")) {
                SPEC.path("values").path("moderation").forEach(v -> cases.add(Arguments.of(m, "moderation",
                        v.asText())));
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("editAllowed")
    void everyEditValueTheSpecAllowsIsAccepted(String model, String param, Object value) {
        assertEquals(model, assertDoesNotThrow(() -> edit(model, param, value)).model().name());
    }

    static Stream<Arguments> editRefused() {
        List<Arguments> cases = new ArrayList<>();
        editing().forEach(e -> {
            String m = e.getKey();
            JsonNode spec = e.getValue();
            cases.add(Arguments.of(m, "quality", "hd"));
            cases.add(Arguments.of(m, "n", spec.path("n_max").asInt() + 1));
            cases.add(Arguments.of(m, "n", 0));
            cases.add(Arguments.of(m, "prompt", "p".repeat(spec.path("prompt_max_chars").asInt() + 1)));
            cases.add(Arguments.of(m, "style", "vivid"));
            Set<String> params = strings(spec.path("params"));
            cases.add(Arguments.of(m, "moderation", params.contains("moderation") ? "strict" : "low"));
            if (!params.contains("input_fidelity")) {
                cases.add(Arguments.of(m, "input_fidelity", "high"));
            } else {
                cases.add(Arguments.of(m, "input_fidelity", "medium"));
            }
            if (!params.contains("background")) {
                cases.add(Arguments.of(m, "background", "opaque"));
            }
            if (!params.contains("output_format")) {
                cases.add(Arguments.of(m, "output_format", "png"));
            }
            if (!spec.path("free_form_sizes").asBoolean()) {
                cases.add(Arguments.of(m, "size", "1792x1024"));
            }
        });
        cases.add(Arguments.of("dall-e-3", "model", "dall-e-3"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @MethodSource("editRefused")
    void anEditValueTheSpecDoesNotAllowIsRefusedNamingItsParam(String model, String param, Object value) {
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> edit(model, param, value));
        assertEquals(400, e.status());
        assertEquals(param, e.param(), e.getMessage());
    }

    @Test
    void anEditDefaultsToGptImage15AndDallE2TakesOneImage() {
        Map<String, Object> body = Map.of("prompt", "a hat", "images", List.of(IMAGE));
        assertEquals("gpt-image-1.5", ImageRules.validateEdit(EditRequest.fromJson(body), false).model().name());
        ImagesApiException two = assertThrows(ImagesApiException.class, () -> ImageRules.validateEdit(
                EditRequest.fromJson(Map.of("prompt", "x", "model", "dall-e-2", "images", List.of(IMAGE, IMAGE))),
                false));
        assertEquals("images", two.param());
        ImagesApiException none = assertThrows(ImagesApiException.class, () -> ImageRules.validateEdit(
                EditRequest.fromJson(Map.of("prompt", "x", "images", List.of())), false));
        assertEquals("images", none.param());
        ImagesApiException seventeen = assertThrows(ImagesApiException.class, () -> ImageRules.validateEdit(
                EditRequest.fromJson(Map.of("prompt", "x", "images", java.util.Collections.nCopies(17, IMAGE))),
                false));
        assertEquals("array_above_max_length", seventeen.code());
        assertEquals(16, ImageRules.validateEdit(EditRequest.fromJson(Map.of("prompt", "x", "images",
                java.util.Collections.nCopies(16, IMAGE))), false).request().images().size());
    }

    private static Variation variation(Map<String, Object> fields) {
        Map<String, Object> body = new HashMap<>(Map.of("image", IMAGE));
        body.putAll(fields);
        return ImageRules.validateVariation(VariationRequest.fromJson(body), false);
    }

    @ParameterizedTest
    @CsvSource({ "size,256x256", "size,512x512", "size,1024x1024", "n,1", "n,10", "response_format,url",
            "response_format,b64_json", "model,dall-e-2", "user,someone" })
    void aVariationTakesWhatSpec4Allows(String param, String value) {
        Object v = param.equals("n") ? (Object) Integer.parseInt(value) : value;
        assertEquals("dall-e-2", assertDoesNotThrow(() -> variation(Map.of(param, v))).model().name());
    }

    @ParameterizedTest
    @CsvSource({ "size,1536x1024", "size,auto", "n,0", "n,11", "response_format,png", "model,gpt-image-1",
            "model,dall-e-3", "prompt,a hat", "quality,standard" })
    void aVariationRefusesWhatSpec4DoesNot(String param, String value) {
        Object v = param.equals("n") ? (Object) Integer.parseInt(value) : value;
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> variation(Map.of(param, v)));
        assertEquals(400, e.status());
        assertEquals(param, e.param(), e.getMessage());
    }

    @Test
    void aVariationNeedsItsImage() {
        assertEquals("image", assertThrows(ImagesApiException.class,
                () -> ImageRules.validateVariation(VariationRequest.fromJson(Map.of("n", 1)), false)).param());
        assertEquals("image", assertThrows(ImagesApiException.class,
                () -> ImageRules.validateVariation(VariationRequest.fromForm(Map.of(), null), false)).param());
    }

    /** Spec §1: dall-e-2 unless a parameter only the GPT image models take is used. */
    @ParameterizedTest
    @CsvSource({ "prompt,x,dall-e-2", "quality,standard,dall-e-2", "size,512x512,dall-e-2", "n,3,dall-e-2",
            "background,opaque,gpt-image-1", "moderation,low,gpt-image-1", "output_format,png,gpt-image-1",
            "output_compression,80,gpt-image-1", "partial_images,1,gpt-image-1", "quality,high,gpt-image-1",
            "size,1536x1024,gpt-image-1", "stream,true,gpt-image-1" })
    void theGenerationDefaultModelFollowsTheGptOnlySignals(String param, String value, String model) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "x"));
        body.put(param, switch (param) {
            case "n", "output_compression", "partial_images" -> Integer.parseInt(value);
            case "stream" -> Boolean.parseBoolean(value);
            default -> value;
        });
        if (param.equals("output_compression")) {
            body.put("output_format", "jpeg");
        }
        assertEquals(model, ImageRules.validate(GenerateRequest.fromJson(body), false).model().name());
    }

    @Test
    void anIdempotencyKeyIsOneTo255PrintableAsciiCharactersWithoutSpaces() {
        assertEquals(true, ImageRules.isIdempotencyKey("a"));
        assertEquals(true, ImageRules.isIdempotencyKey("!" + "k".repeat(253) + "~"));
        assertEquals(false, ImageRules.isIdempotencyKey(""));
        assertEquals(false, ImageRules.isIdempotencyKey("k".repeat(256)));
        assertEquals(false, ImageRules.isIdempotencyKey("a b"));
        assertEquals(false, ImageRules.isIdempotencyKey("a\u007f"));
        assertEquals(false, ImageRules.isIdempotencyKey("caf\u00e9"));
        assertEquals(false, ImageRules.isIdempotencyKey("a\tb"));
    }
}
