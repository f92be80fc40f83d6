package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How a body's fields are read before any rule: wrong types are 400s naming the field and saying what came, image
 * references are exactly one of {@code image_url} and {@code file_id}, unknown fields are named, form values are
 * parsed from text.
 */
class RequestReadingTest {

    private static ImagesApiException firstProblem(EditRequest r) {
        assertTrue(!r.problems().isEmpty(), "a problem was found");
        return r.problems().get(0);
    }

    private static ImagesApiException editProblem(Object images) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "x"));
        body.put("images", images);
        return firstProblem(EditRequest.fromJson(body));
    }

    @Test
    void anImageReferenceIsExactlyOneOfUrlAndFileId() {
        Map<String, Object> url = Map.of("image_url", "https://a.example/x.png");
        EditRequest ok = EditRequest.fromJson(Map.of("prompt", "x", "images", List.of(url, Map.of("file_id", "img_1"))));
        assertTrue(ok.problems().isEmpty(), ok.problems().toString());
        assertEquals("https://a.example/x.png", ok.images().get(0).imageUrl());
        assertEquals("img_1", ok.images().get(1).fileId());
        assertEquals(2, ok.imageCount());

        ImagesApiException both = editProblem(List.of(Map.of("image_url", "u", "file_id", "f")));
        assertEquals("images[0]", both.param());
        assertEquals("invalid_value", both.code());
        assertEquals("invalid_value", editProblem(List.of(Map.of())).code());
        ImagesApiException extra = editProblem(List.of(Map.of("image_url", "u", "detail", "high")));
        assertEquals("unknown_parameter", extra.code());
        assertTrue(extra.getMessage().contains("images[0].detail"), extra.getMessage());
        assertEquals("invalid_type", editProblem(List.of("https://a.example/x.png")).code());
        assertEquals("images[0].image_url", editProblem(List.of(Map.of("image_url", " "))).param());
        assertEquals("images[0].file_id", editProblem(List.of(Map.of("file_id", 5))).param());
        ImagesApiException nulled = editProblem(java.util.Arrays.asList(url, null));
        assertEquals("images[1]", nulled.param());
        assertEquals("invalid_type", editProblem("cat.png").code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "n|\"2\"|a string", "n|1.5|a decimal", "n|true|a boolean",
            "n|[1]|an array", "n|{}|an object", "prompt|5|an integer", "stream|\"yes\"|a string",
            "model|[]|an array" })
    void aWrongTypeIsNamedWithWhatCame(String field, String json, String described) throws Exception {
        Map<String, Object> body = new HashMap<>(new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue("{\"prompt\":\"x\",\"" + field + "\":" + json + "}", Map.class));
        GenerateRequest r = GenerateRequest.fromJson(body);
        ImagesApiException e = r.problems().get(0);
        assertEquals(field, e.param());
        assertEquals("invalid_type", e.code());
        assertTrue(e.getMessage().endsWith("but got " + described + " instead."), e.getMessage());
    }

    @Test
    void formValuesAreParsedFromText() {
        EditRequest r = EditRequest.fromForm(Map.of("prompt", "x", "n", " 3 ", "stream", "true",
                "partial_images", "2"), List.of(new byte[] { 1 }), null);
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        assertEquals(3, r.n());
        assertEquals(Boolean.TRUE, r.stream());
        assertEquals(2, r.partialImages());
        assertEquals(Boolean.FALSE, EditRequest.fromForm(Map.of("prompt", "x", "stream", "false"),
                List.of(new byte[] { 1 }), null).stream());
        ImagesApiException yes = firstProblem(EditRequest.fromForm(Map.of("prompt", "x", "stream", "yes"),
                List.of(new byte[] { 1 }), null));
        assertEquals("stream", yes.param());
        assertEquals("image", EditRequest.fromForm(Map.of("prompt", "x"), List.of(new byte[] { 1 }), null)
                .images().get(0).param(), "one upload is 'image'");
        assertEquals("image[1]", EditRequest.fromForm(Map.of("prompt", "x"), List.of(new byte[] { 1 },
                new byte[] { 2 }), null).images().get(1).param(), "several are 'image[i]'");
    }

    @Test
    void aJsonBooleanIsNotReadFromText() {
        ImagesApiException e = GenerateRequest.fromJson(Map.of("prompt", "x", "stream", "true")).problems().get(0);
        assertEquals("stream", e.param());
    }

    @Test
    void unknownFieldsAreNamedAndTheIdempotencyKeyIsAllowedEverywhere() {
        ImagesApiException e = GenerateRequest.fromJson(Map.of("prompt", "x", "colour", "red")).problems().get(0);
        assertEquals("colour", e.param());
        assertEquals("unknown_parameter", e.code());
        assertTrue(GenerateRequest.fromJson(Map.of("prompt", "x", "idempotency_key", "k-1")).problems().isEmpty());
        assertEquals("k-1", VariationRequest.fromJson(Map.of("image", Map.of("file_id", "img_1"), "idempotency_key",
                "k-1")).idempotencyKey());
        ImagesApiException badKey = GenerateRequest.fromJson(Map.of("prompt", "x", "idempotency_key", "a b"))
                .problems().get(0);
        assertEquals("idempotency_key", badKey.param());
        assertNull(GenerateRequest.fromJson(Map.of("prompt", "x", "idempotency_key", "a b")).idempotencyKey());
        assertEquals("style", EditRequest.fromForm(Map.of("prompt", "x", "style", "vivid"),
                List.of(new byte[] { 1 }), null).problems().get(0).param(), "a form names its unknown fields too");
    }

    @Test
    void anExplicitNullIsNotSet() {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "x"));
        body.put("n", null);
        body.put("size", null);
        GenerateRequest r = GenerateRequest.fromJson(body);
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        assertNull(r.n());
        assertNull(r.size());
    }
}
