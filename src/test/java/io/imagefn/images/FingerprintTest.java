package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A request's fingerprint tells a retry from a different request under one idempotency key: the same fields in any
 * order, with or without explicit nulls and whatever the key, are the same request; any other value, or other upload
 * bytes, is not.
 */
class FingerprintTest {

    private static String of(Map<String, Object> body) {
        return GenerateRequest.fromJson(body).fingerprint();
    }

    @Test
    void orderNullsAndTheKeyDoNotMatter() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("prompt", "a fox");
        a.put("n", 2);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("n", 2);
        b.put("size", null);
        b.put("prompt", "a fox");
        b.put("idempotency_key", "k-1");
        assertEquals(of(a), of(b));
        assertEquals(64, of(a).length());
    }

    @Test
    void anyOtherValueIsAnotherRequest() {
        Map<String, Object> base = new HashMap<>(Map.of("prompt", "a fox", "n", 2));
        String fingerprint = of(base);
        List<Map.Entry<String, Object>> changes = List.of(Map.entry("prompt", "a fox."), Map.entry("n", 3),
                Map.entry("size", "256x256"), Map.entry("model", "dall-e-2"));
        for (Map.Entry<String, Object> change : changes) {
            Map<String, Object> other = new HashMap<>(base);
            other.put(change.getKey(), change.getValue());
            assertNotEquals(fingerprint, of(other), change.toString());
        }
    }

    @Test
    void uploadedBytesCount() {
        Map<String, Object> text = Map.of("prompt", "a hat");
        String one = EditRequest.fromForm(text, List.of(new byte[] { 1, 2, 3 }), null).fingerprint();
        assertEquals(one, EditRequest.fromForm(text, List.of(new byte[] { 1, 2, 3 }), null).fingerprint());
        assertNotEquals(one, EditRequest.fromForm(text, List.of(new byte[] { 1, 2, 4 }), null).fingerprint());
        assertNotEquals(one, EditRequest.fromForm(text, List.of(new byte[] { 1, 2 }, new byte[] { 3 }), null)
                .fingerprint(), "where one upload ends and the next begins");
        assertNotEquals(one, EditRequest.fromForm(text, List.of(new byte[] { 1, 2, 3 }), new byte[] { 9 })
                .fingerprint(), "a mask");
    }
}
