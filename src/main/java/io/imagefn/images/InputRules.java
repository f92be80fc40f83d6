package io.imagefn.images;

import java.util.List;

/**
 * The Images API's rules on the bytes of input images (spec §3, §4), checked once the images were fetched and their
 * headers read: formats, sizes, square PNGs for dall-e-2, masks. The request fields are {@link ImageRules}'.
 */
public final class InputRules {

    /** Spec §3: each GPT image model input under 50 MB. */
    public static final long GPT_MAX_IMAGE_BYTES = 50L * 1024 * 1024;
    /** Spec §3, §4: dall-e-2 images and every mask under 4 MB. */
    public static final long SMALL_MAX_IMAGE_BYTES = 4L * 1024 * 1024;
    /**
     * Largest input imagefn accepts, in pixels (about 8K x 8K): a header claiming more is refused before anything could
     * decode it. The API publishes no pixel limit for inputs; this bounds the memory a decode would take.
     */
    public static final long MAX_INPUT_PIXELS = 8192L * 8192L;

    private InputRules() {
    }

    /** Spec §3: the bytes of an edit's images and mask, checked after they were fetched. */
    public static void checkEditInputs(ImageModel model, List<InputImage> images, InputImage mask) {
        ImageModel.EditInputs rules = model.editInputs();
        for (InputImage image : images) {
            if (rules.squarePngs()) {
                checkSquarePng(image);
            } else {
                checkSize(image, rules.maxBytes(), rules.maxBytes() / (1024 * 1024) + " MB");
            }
        }
        if (mask != null) {
            checkSize(mask, SMALL_MAX_IMAGE_BYTES, "4 MB");
            if (mask.header().format() != ImageFormat.PNG) {
                throw invalidImage(mask, "the mask must be a PNG, but it is a " + mask.header().format() + " file");
            }
            if (!mask.header().alpha()) {
                throw invalidImage(mask, "the mask must have an alpha channel: its fully transparent pixels mark the "
                        + "area to edit");
            }
            ImageHeader first = images.get(0).header();
            if (first.width() != mask.header().width() || first.height() != mask.header().height()) {
                throw invalidImage(mask, "the mask is " + mask.header().width() + "x" + mask.header().height()
                        + " but the first image is " + first.width() + "x" + first.height()
                        + "; they must have the same dimensions");
            }
        }
    }

    /** Spec §4: one square PNG under 4 MB. */
    public static void checkVariationInput(InputImage image) {
        checkSquarePng(image);
    }

    /** The header must be readable and not claim more pixels than anything should decode. */
    public static ImageHeader measure(String param, byte[] bytes) {
        ImageHeader header = ImageHeader.read(bytes).orElseThrow(() -> ImagesApiException.invalid(param,
                "invalid_image_file", "Invalid '" + param + "': not a PNG, JPEG or WebP image."));
        if (header.pixels() > MAX_INPUT_PIXELS) {
            throw ImagesApiException.invalid(param, "image_too_large", "Invalid '" + param + "': the image claims "
                    + header.width() + "x" + header.height() + " pixels; at most " + MAX_INPUT_PIXELS
                    + " pixels are accepted.");
        }
        return header;
    }

    private static void checkSquarePng(InputImage image) {
        checkSize(image, SMALL_MAX_IMAGE_BYTES, "4 MB");
        if (image.header().format() != ImageFormat.PNG) {
            throw invalidImage(image, "dall-e-2 takes a PNG, but this is a " + image.header().format() + " file");
        }
        if (!image.header().square()) {
            throw invalidImage(image, "dall-e-2 takes a square image, but this is " + image.header().width() + "x"
                    + image.header().height());
        }
    }

    private static void checkSize(InputImage image, long max, String label) {
        if (image.bytes().length >= max) {
            throw ImagesApiException.invalid(image.param(), "image_too_large", "Invalid '" + image.param()
                    + "': the file is " + image.bytes().length + " bytes; it must be under " + label + ".");
        }
    }

    private static ImagesApiException invalidImage(InputImage image, String why) {
        return ImagesApiException.invalid(image.param(), "invalid_image_file",
                "Invalid '" + image.param() + "': " + why + ".");
    }

}
