package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.Color;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.imagefn.support.TestImages;

/**
 * A multipart number field is read at a cost that grows with its length, not its square: five million digits (which
 * a full parse would chew on for hours) are known to be out of range by counting them. The time bound is a liveness
 * guard far above the expected milliseconds, not a measurement.
 */
class FormNumbersTest {

    private static final List<byte[]> ONE_IMAGE = List.of(TestImages.png(8, 8, Color.RED));

    private static ImagesApiException onlyProblem(Map<String, Object> fields) {
        EditRequest request = EditRequest.fromForm(fields, ONE_IMAGE, null);
        assertEquals(1, request.problems().size(), request.problems().toString());
        return request.problems().get(0);
    }

    @Test
    void millionsOfDigitsAreARangeErrorWithoutBeingParsed() {
        String digits = "9".repeat(5_000_000);
        ImagesApiException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> onlyProblem(Map.of("prompt", "x", "n", digits)));
        assertEquals("integer_above_max_value", e.code());
        assertEquals("n", e.param());
        ImagesApiException below = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> onlyProblem(Map.of("prompt", "x", "n", "-" + digits)));
        assertEquals("integer_below_min_value", below.code());
    }

    @Test
    void leadingZerosAndSignsReadAsTheNumberTheyWrite() {
        assertEquals(3, EditRequest.fromForm(Map.of("prompt", "x", "n", "0".repeat(100_000) + "3"), ONE_IMAGE, null)
                .n());
        assertEquals(2, EditRequest.fromForm(Map.of("prompt", "x", "n", "+2"), ONE_IMAGE, null).n());
        assertEquals("integer_above_max_value", onlyProblem(Map.of("prompt", "x", "n", "2147483648")).code());
        assertEquals(2147483647, EditRequest.fromForm(Map.of("prompt", "x", "n", "2147483647"), ONE_IMAGE, null).n());
    }

    @Test
    void textThatIsNotAnIntegerIsATypeError() {
        for (String text : List.of("", "-", "+", "1.5", "1e3", "12a", "0x10", "١٢")) {
            assertEquals("invalid_type", onlyProblem(Map.of("prompt", "x", "n", text)).code(), text);
        }
    }
}
