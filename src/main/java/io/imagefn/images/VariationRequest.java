package io.imagefn.images;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The input of {@code variation}: OpenAI's {@code CreateImageVariationRequest} (spec §4), the image by reference. */
@RegisterForReflection
public final class VariationRequest {

    public static final Set<String> FIELDS = Set.of("image", "model", "n", "size", "response_format", "user");
    public static final Set<String> FORM_FIELDS = Set.of("model", "n", "size", "response_format", "user");

    private final ImageRef image;
    private final String model;
    private final Integer n;
    private final String size;
    private final String responseFormat;
    private final String user;
    private final String idempotencyKey;
    private final String fingerprint;
    private final List<ImagesApiException> problems;

    private VariationRequest(RequestFields f, ImageRef upload) {
        f.rejectUnknown(upload == null ? FIELDS : FORM_FIELDS);
        image = upload != null ? upload : f.ref("image", f.value("image"));
        model = f.string("model");
        n = f.integer("n");
        size = f.string("size");
        responseFormat = f.string("response_format");
        user = f.string("user");
        idempotencyKey = f.idempotencyKey();
        fingerprint = f.fingerprint(ImageRef.uploadedBytes(upload == null ? null : List.of(upload), null));
        problems = List.copyOf(f.problems());
    }

    /** Reads the JSON body; never fails, problems are kept for validation. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static VariationRequest fromJson(Map<String, Object> body) {
        return new VariationRequest(new RequestFields(body, false), null);
    }

    /** Reads a multipart form (spec §4): text fields as strings, the image as an upload (null when missing). */
    public static VariationRequest fromForm(Map<String, Object> text, byte[] image) {
        return new VariationRequest(new RequestFields(text, true), image == null ? null : ImageRef.upload("image", image));
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

    public ImageRef image() {
        return image;
    }

    public String model() {
        return model;
    }

    public Integer n() {
        return n;
    }

    public String size() {
        return size;
    }

    public String responseFormat() {
        return responseFormat;
    }

    public String user() {
        return user;
    }
}
