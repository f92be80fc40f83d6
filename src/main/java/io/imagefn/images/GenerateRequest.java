package io.imagefn.images;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The input of {@code generate}: OpenAI's {@code CreateImageRequest} (spec §2), field for field, read by
 * {@link #fromJson}; {@link ImageRules#validate(GenerateRequest, boolean)} reports the problems.
 */
@RegisterForReflection
public record GenerateRequest(String prompt, String model, Integer n, String quality, String responseFormat,
        String outputFormat, Integer outputCompression, Boolean stream, Integer partialImages, String size,
        String moderation, String background, String style, String user, String idempotencyKey, String fingerprint,
        List<ImagesApiException> problems) implements ImageRequest.Prompted {

    /** The fields of {@code CreateImageRequest}; any other field is refused as OpenAI does. */
    public static final Set<String> FIELDS = Set.of("prompt", "model", "n", "quality", "response_format",
            "output_format", "output_compression", "stream", "partial_images", "size", "moderation", "background",
            "style", "user");

    /** Reads the JSON body; never fails, problems are kept for validation. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static GenerateRequest fromJson(Map<String, Object> body) {
        RequestFields f = new RequestFields(body, false);
        f.rejectUnknown(FIELDS);
        // the arguments are read in order; the problems last, once every field was read
        return new GenerateRequest(f.string("prompt"), f.string("model"), f.integer("n"), f.string("quality"),
                f.string("response_format"), f.string("output_format"), f.integer("output_compression"),
                f.bool("stream"), f.integer("partial_images"), f.string("size"), f.string("moderation"),
                f.string("background"), f.string("style"), f.string("user"), f.idempotencyKey(),
                f.fingerprint(List.of()), List.copyOf(f.problems()));
    }
}
