package io.imagefn.images;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The input of {@code edit}: OpenAI's JSON edit body ({@code EditImageBodyJsonParam}, spec §3b), extended to
 * dall-e-2 and {@code response_format}, which OpenAI only takes as multipart: imagefn sends multipart upstream, or
 * OpenAI's JSON form when the edit carries {@code moderation}, which only that form has.
 */
@RegisterForReflection
public record EditRequest(List<ImageRef> images, ImageRef mask, String prompt, String model, Integer n, String size,
        String quality, String inputFidelity, String outputFormat, Integer outputCompression, String background,
        String moderation, String responseFormat, Boolean stream, Integer partialImages, String user, int imageCount,
        String idempotencyKey, String fingerprint, List<ImagesApiException> problems) implements ImageRequest.Prompted {

    public static final Set<String> FIELDS = Set.of("images", "mask", "prompt", "model", "n", "size", "quality",
            "input_fidelity", "output_format", "output_compression", "background", "moderation", "response_format",
            "stream", "partial_images", "user");
    /**
     * A multipart form carries the images and mask as files; these are its text fields (OpenAI's
     * {@code CreateImageEditRequest}: no {@code moderation}, which only the JSON form takes).
     */
    public static final Set<String> FORM_FIELDS = Set.of("prompt", "model", "n", "size", "quality",
            "input_fidelity", "output_format", "output_compression", "background", "response_format",
            "stream", "partial_images", "user");

    /** Reads the JSON body; never fails, problems are kept for validation. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static EditRequest fromJson(Map<String, Object> body) {
        return read(new RequestFields(body, false), null, null);
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
        return read(new RequestFields(text, true), uploads, mask == null ? null : ImageRef.upload("mask", mask));
    }

    /** The images from the JSON body's references, or the uploads; {@code imageCount} counts what was sent. */
    private static EditRequest read(RequestFields f, List<ImageRef> uploads, ImageRef uploadedMask) {
        f.rejectUnknown(uploads == null ? FIELDS : FORM_FIELDS);
        List<Object> rawImages = uploads == null ? f.list("images") : null;
        int imageCount = uploads != null ? uploads.size() : rawImages == null ? 0 : rawImages.size();
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
        ImageRef mask = uploads != null ? uploadedMask : f.ref("mask", f.value("mask"));
        return new EditRequest(List.copyOf(refs), mask, f.string("prompt"), f.string("model"), f.integer("n"),
                f.string("size"), f.string("quality"), f.string("input_fidelity"), f.string("output_format"),
                f.integer("output_compression"), f.string("background"), f.string("moderation"),
                f.string("response_format"), f.bool("stream"), f.integer("partial_images"), f.string("user"),
                imageCount, f.idempotencyKey(), f.fingerprint(ImageRef.uploadedBytes(uploads, uploadedMask)),
                List.copyOf(f.problems()));
    }
}
