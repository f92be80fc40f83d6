package io.imagefn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.VariationRequest;

/**
 * A job runs the request it was given: every field a request type reads ({@code FIELDS}, OpenAI's fields for it) is
 * in the job's body as the caller sent it, and nothing else but the staged images. The bodies here set every field,
 * so a field added to a request type and not carried to its job fails this test.
 */
class JobBodiesTest {

    private static Map<String, Object> prompted() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", "a lighthouse at dusk");
        body.put("model", "gpt-image-1");
        body.put("n", 2);
        body.put("quality", "high");
        body.put("output_format", "webp");
        body.put("output_compression", 80);
        body.put("size", "1024x1536");
        body.put("moderation", "low");
        body.put("background", "opaque");
        body.put("user", "user-42");
        body.put("stream", false);
        body.put("partial_images", 2);
        return body;
    }

    private static void carriesEveryField(Set<String> fields, Map<String, Object> sent, Map<String, Object> body,
            Set<String> images) {
        Set<String> expected = new HashSet<>(fields);
        expected.removeAll(images);
        assertEquals(expected, sent.keySet(), "the test sets every field the request type reads");
        assertEquals(sent, body);
    }

    @Test
    void aGenerationCarriesEveryFieldOfItsRequest() {
        Map<String, Object> sent = prompted();
        sent.put("response_format", "url");
        sent.put("style", "vivid");

        Map<String, Object> body = JobBodies.of(GenerateRequest.fromJson(sent));

        carriesEveryField(GenerateRequest.FIELDS, sent, body, Set.of());
    }

    @Test
    void anEditCarriesEveryFieldButItsImagesWhichAreStaged() {
        Map<String, Object> sent = prompted();
        sent.put("input_fidelity", "high");
        sent.put("response_format", "b64_json");
        Map<String, Object> withImages = new LinkedHashMap<>(sent);
        withImages.put("images", List.of(Map.of("file_id", "img_a"), Map.of("image_url", "https://example.com/b")));
        withImages.put("mask", Map.of("file_id", "img_m"));

        Map<String, Object> body = JobBodies.of(EditRequest.fromJson(withImages));

        carriesEveryField(EditRequest.FIELDS, sent, body, Set.of("images", "mask"));
    }

    @Test
    void aVariationCarriesEveryFieldButItsImageWhichIsStaged() {
        Map<String, Object> sent = new LinkedHashMap<>();
        sent.put("model", "dall-e-2");
        sent.put("n", 3);
        sent.put("size", "512x512");
        sent.put("response_format", "url");
        sent.put("user", "user-7");
        Map<String, Object> withImage = new LinkedHashMap<>(sent);
        withImage.put("image", Map.of("file_id", "img_v"));

        Map<String, Object> body = JobBodies.of(VariationRequest.fromJson(withImage));

        carriesEveryField(VariationRequest.FIELDS, sent, body, Set.of("image"));
    }

    @Test
    void anUnsetFieldIsLeftOutAndTheIdempotencyKeyIsNotPartOfTheBody() {
        Map<String, Object> sent = new LinkedHashMap<>(Map.of("prompt", "a fox", "idempotency_key", "k-1"));

        Map<String, Object> body = JobBodies.of(GenerateRequest.fromJson(sent));

        assertEquals(Map.of("prompt", "a fox"), body);
    }
}
