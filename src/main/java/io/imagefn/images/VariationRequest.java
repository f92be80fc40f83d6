package io.imagefn.images;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The input of {@code variation}: OpenAI's {@code CreateImageVariationRequest} (spec §4), the image by reference. */
@RegisterForReflection
public record VariationRequest(ImageRef image, String model, Integer n, String size, String responseFormat,
        String user, String idempotencyKey, String fingerprint, List<ImagesApiException> problems)
        implements ImageRequest {

    public static final Set<String> FIELDS = Set.of("image", "model", "n", "size", "response_format", "user");
    public static final Set<String> FORM_FIELDS = Set.of("model", "n", "size", "response_format", "user");

    /** Reads the JSON body; never fails, problems are kept for validation. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static VariationRequest fromJson(Map<String, Object> body) {
        return read(new RequestFields(body, false), null);
    }

    /** Reads a multipart form (spec §4): text fields as strings, the image as an upload (null when missing). */
    public static VariationRequest fromForm(Map<String, Object> text, byte[] image) {
        return read(new RequestFields(text, true), image == null ? null : ImageRef.upload("image", image));
    }

    private static VariationRequest read(RequestFields f, ImageRef upload) {
        f.rejectUnknown(upload == null ? FIELDS : FORM_FIELDS);
        return new VariationRequest(upload != null ? upload : f.ref("image", f.value("image")), f.string("model"),
                f.integer("n"), f.string("size"), f.string("response_format"), f.string("user"), f.idempotencyKey(),
                f.fingerprint(ImageRef.uploadedBytes(upload == null ? null : List.of(upload), null)),
                List.copyOf(f.problems()));
    }
}
