package io.imagefn.images;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The input of {@code edit}: OpenAI's JSON edit body ({@code EditImageBodyJsonParam}, spec §3b), extended to
 * dall-e-2 and {@code response_format}, which OpenAI only takes as multipart: imagefn sends multipart upstream.
 */
@RegisterForReflection
public final class EditRequest {

    public static final Set<String> FIELDS = Set.of("images", "mask", "prompt", "model", "n", "size", "quality",
            "input_fidelity", "output_format", "output_compression", "background", "moderation", "response_format",
            "stream", "partial_images", "user");
    /** A multipart form carries the images and mask as files; these are its text fields. */
    public static final Set<String> FORM_FIELDS = Set.of("prompt", "model", "n", "size", "quality",
            "input_fidelity", "output_format", "output_compression", "background", "moderation", "response_format",
            "stream", "partial_images", "user");

    private final List<ImageRef> images;
    private final ImageRef mask;
    private final String prompt;
    private final String model;
    private final Integer n;
    private final String size;
    private final String quality;
    private final String inputFidelity;
    private final String outputFormat;
    private final Integer outputCompression;
    private final String background;
    private final String moderation;
    private final String responseFormat;
    private final Boolean stream;
    private final Integer partialImages;
    private final String user;
    private final int imageCount;
    private final String idempotencyKey;
    private final String fingerprint;
    private final List<ImagesApiException> problems;

    private EditRequest(RequestFields f, List<ImageRef> uploads, ImageRef uploadedMask) {
        f.rejectUnknown(uploads == null ? FIELDS : FORM_FIELDS);
        List<Object> rawImages = uploads == null ? f.list("images") : null;
        imageCount = uploads != null ? uploads.size() : rawImages == null ? 0 : rawImages.size();
        List<ImageRef> refs = new ArrayList<>();
        if (uploads != null) {
            refs.addAll(uploads);
        } else if (rawImages != null && rawImages.size() <= ImageRules.MAX_EDIT_IMAGES) {
            for (int i = 0; i < rawImages.size(); i++) {
                ImageRef ref = f.ref("images[" + i + "]", rawImages.get(i));
                if (ref != null) {
                    refs.add(ref);
                } else if (rawImages.get(i) == null) {
                    f.problems().add(ImagesApiException.invalid("images[" + i + "]", "invalid_type",
                            "Invalid 'images[" + i + "]': expected an image reference, got null."));
                }
            }
        }
        images = List.copyOf(refs);
        mask = uploads != null ? uploadedMask : f.ref("mask", f.value("mask"));
        prompt = f.string("prompt");
        model = f.string("model");
        n = f.integer("n");
        size = f.string("size");
        quality = f.string("quality");
        inputFidelity = f.string("input_fidelity");
        outputFormat = f.string("output_format");
        outputCompression = f.integer("output_compression");
        background = f.string("background");
        moderation = f.string("moderation");
        responseFormat = f.string("response_format");
        stream = f.bool("stream");
        partialImages = f.integer("partial_images");
        user = f.string("user");
        idempotencyKey = f.idempotencyKey();
        fingerprint = f.fingerprint(ImageRef.uploadedBytes(uploads, uploadedMask));
        problems = List.copyOf(f.problems());
    }

    /** Reads the JSON body; never fails, problems are kept for validation. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static EditRequest fromJson(Map<String, Object> body) {
        return new EditRequest(new RequestFields(body, false), null, null);
    }

    /**
     * Reads a multipart form (spec §3a): the text fields arrive as strings, the files as uploads.
     *
     * @param text   the text parts by name
     * @param images the {@code image} / {@code image[]} files in order
     * @param mask   the {@code mask} file, or null
     */
    public static EditRequest fromForm(Map<String, Object> text, List<byte[]> images, byte[] mask) {
        List<ImageRef> uploads = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            uploads.add(ImageRef.upload(images.size() == 1 ? "image" : "image[" + i + "]", images.get(i)));
        }
        return new EditRequest(new RequestFields(text, true), uploads, mask == null ? null : ImageRef.upload("mask", mask));
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

    /** How many entries {@code images} had, including any that failed to parse. */
    int imageCount() {
        return imageCount;
    }

    public List<ImageRef> images() {
        return images;
    }

    public ImageRef mask() {
        return mask;
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

    public String size() {
        return size;
    }

    public String quality() {
        return quality;
    }

    public String inputFidelity() {
        return inputFidelity;
    }

    public String outputFormat() {
        return outputFormat;
    }

    public Integer outputCompression() {
        return outputCompression;
    }

    public String background() {
        return background;
    }

    public String moderation() {
        return moderation;
    }

    public String responseFormat() {
        return responseFormat;
    }

    public Boolean stream() {
        return stream;
    }

    public Integer partialImages() {
        return partialImages;
    }

    public String user() {
        return user;
    }
}
