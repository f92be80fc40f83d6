package io.imagefn.images;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The input of {@code generate}: OpenAI's {@code CreateImageRequest} (spec §2), field for field. It is read from
 * plain JSON values so that every type error names its field; {@link ImageRules#validate(GenerateRequest, boolean)}
 * reports the problems.
 */
@RegisterForReflection
public final class GenerateRequest {

    /** The fields of {@code CreateImageRequest}; any other field is refused as OpenAI does. */
    public static final Set<String> FIELDS = Set.of("prompt", "model", "n", "quality", "response_format",
            "output_format", "output_compression", "stream", "partial_images", "size", "moderation", "background",
            "style", "user");

    private final String prompt;
    private final String model;
    private final Integer n;
    private final String quality;
    private final String responseFormat;
    private final String outputFormat;
    private final Integer outputCompression;
    private final Boolean stream;
    private final Integer partialImages;
    private final String size;
    private final String moderation;
    private final String background;
    private final String style;
    private final String user;
    private final String idempotencyKey;
    private final String fingerprint;
    private final List<ImagesApiException> problems;

    private GenerateRequest(RequestFields f) {
        f.rejectUnknown(FIELDS);
        prompt = f.string("prompt");
        model = f.string("model");
        n = f.integer("n");
        quality = f.string("quality");
        responseFormat = f.string("response_format");
        outputFormat = f.string("output_format");
        outputCompression = f.integer("output_compression");
        stream = f.bool("stream");
        partialImages = f.integer("partial_images");
        size = f.string("size");
        moderation = f.string("moderation");
        background = f.string("background");
        style = f.string("style");
        user = f.string("user");
        idempotencyKey = f.idempotencyKey();
        fingerprint = f.fingerprint(List.of());
        problems = List.copyOf(f.problems());
    }

    /** Reads the JSON body; never fails, problems are kept for validation. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static GenerateRequest fromJson(Map<String, Object> body) {
        return new GenerateRequest(new RequestFields(body, false));
    }

    List<ImagesApiException> problems() {
        return problems;
    }

    /** The {@code idempotency_key} field, or null. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** A digest of the request's content, the same for a retry of it (see {@link RequestFields#fingerprint}). */
    public String fingerprint() {
        return fingerprint;
    }

    public String prompt() {
        return prompt;
    }

    public String model() {
        return model;
    }

    public Integer n() {
        return n;
    }

    public String quality() {
        return quality;
    }

    public String responseFormat() {
        return responseFormat;
    }

    public String outputFormat() {
        return outputFormat;
    }

    public Integer outputCompression() {
        return outputCompression;
    }

    public Boolean stream() {
        return stream;
    }

    public Integer partialImages() {
        return partialImages;
    }

    public String size() {
        return size;
    }

    public String moderation() {
        return moderation;
    }

    public String background() {
        return background;
    }

    public String style() {
        return style;
    }

    public String user() {
        return user;
    }

}
