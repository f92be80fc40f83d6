package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Rules of issue 13, checked on the rules themselves (no server): plain JUnit. */
class ResponseFormatAndRangeRulesTest {

    private static GenerateRequest generation(Map<String, Object> body) {
        return GenerateRequest.fromJson(body);
    }

    @Test
    void responseFormatIsAcceptedForEveryModelThatGenerates() {
        for (ImageModel model : ImageModel.KNOWN.values()) {
            if (!model.operations().contains(ImageModel.Operation.GENERATE)) {
                continue;
            }
            for (String format : List.of("url", "b64_json")) {
                assertDoesNotThrow(() -> ImageRules.validate(generation(Map.of("prompt", "x", "model", model.name(),
                        "response_format", format)), false), model.name() + " " + format);
            }
        }
    }

    @Test
    void anUnknownResponseFormatIsStillRefused() {
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> ImageRules.validate(generation(Map.of(
                "prompt", "x", "model", "gpt-image-1", "response_format", "png")), false));
        assertEquals("response_format", e.param());
    }

    @Test
    void withUnknownModelsAllowedTheAutoSizeTheMessageOffersIsAccepted() {
        assertDoesNotThrow(() -> ImageRules.validate(generation(Map.of("prompt", "x", "model", "acme-image-9",
                "size", "auto")), true));
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> ImageRules.validate(generation(Map.of(
                "prompt", "x", "model", "acme-image-9", "size", "big")), true));
        assertTrue(e.getMessage().contains("Expected 'auto' or WIDTHxHEIGHT"), e.getMessage());
    }

    @Test
    void anIntegerBeyondRangeIsARangeErrorNamingTheValueSent() {
        ImagesApiException json = assertThrows(ImagesApiException.class, () -> ImageRules.validate(generation(Map.of(
                "prompt", "x", "n", new BigInteger("99999999999999999999"))), false));
        assertEquals("n", json.param());
        assertEquals("integer_above_max_value", json.code());
        assertTrue(json.getMessage().contains("got 99999999999999999999 instead"), json.getMessage());

        ImagesApiException form = assertThrows(ImagesApiException.class, () -> ImageRules.validateEdit(
                EditRequest.fromForm(Map.of("prompt", "x", "n", "-99999999999999999999"), List.of(new byte[] { 1 }),
                        null), false));
        assertEquals("integer_below_min_value", form.code());
        assertTrue(form.getMessage().contains("got -99999999999999999999 instead"), form.getMessage());
    }

    @Test
    void aHugeValueIsQuotedShortened() {
        String digits = "9".repeat(100_000);
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> ImageRules.validate(generation(Map.of(
                "prompt", "x", "n", new BigInteger(digits))), false));
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        assertTrue(e.getMessage().contains("(100000 characters)"), e.getMessage());
    }

    @Test
    void moderationIsAFieldOfTheJsonEditNotOfTheMultipartOne() {
        // spec §3a: the multipart schema has no moderation; §3b: the JSON form does
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> ImageRules.validateEdit(
                EditRequest.fromForm(Map.of("prompt", "x", "model", "gpt-image-1", "moderation", "low"),
                        List.of(new byte[] { 1 }), null), false));
        assertEquals("moderation", e.param());
        assertEquals("unknown_parameter", e.code());
        assertDoesNotThrow(() -> ImageRules.validateEdit(EditRequest.fromJson(Map.of("prompt", "x", "model",
                "gpt-image-1", "moderation", "low", "images", List.of(Map.of("file_id", "img_a")))), false));
        assertDoesNotThrow(() -> ImageRules.validate(generation(Map.of("prompt", "x", "model", "gpt-image-1",
                "moderation", "low")), false), "generations keep it");
    }
}
