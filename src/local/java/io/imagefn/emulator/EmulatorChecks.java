package io.imagefn.emulator;

import java.util.Set;

import io.imagefn.images.ImageModel;
import io.imagefn.images.ImagesApiException;

/**
 * The emulator's own checks, deliberately few: only what it needs to draw an answer (a count of images it will draw, a
 * size it can draw, an output format it can encode, and base64 for the models that take {@code response_format}).
 * It does not apply imagefn's validation (ImageRules): imagefn validates before it calls any upstream, and a test
 * that a request is refused must see that refusal with no upstream call, not borrow the emulator's verdict.
 */
final class EmulatorChecks {

    /** Drawing more than this many images, or larger than this side, is work a stand-in refuses. */
    static final int MAX_IMAGES = 10;
    static final int MAX_SIDE = 4096;
    private static final Set<String> FORMATS = Set.of("png", "jpeg");

    private EmulatorChecks() {
    }

    /** The table's model, or an unknown one answered as the GPT image models answer. */
    static ImageModel model(String name, String fallback) {
        String model = name == null ? fallback : name;
        return ImageModel.known(model).orElseGet(() -> ImageModel.unknown(model));
    }

    static int count(Integer n) {
        int count = n == null ? 1 : n;
        if (count < 1 || count > MAX_IMAGES) {
            throw ImagesApiException.invalid("n", "invalid_value", "The offline emulator draws 1 to " + MAX_IMAGES
                    + " images.");
        }
        return count;
    }

    /** {@code auto} or absent: 1024x1024; else {@code WxH} within what the emulator draws. */
    static int[] size(String size) {
        if (size == null || size.equals("auto")) {
            return new int[] { 1024, 1024 };
        }
        String[] wh = size.split("x", -1);
        try {
            int w = Integer.parseInt(wh[0]);
            int h = wh.length == 2 ? Integer.parseInt(wh[1]) : -1;
            if (w >= 1 && h >= 1 && w <= MAX_SIDE && h <= MAX_SIDE) {
                return new int[] { w, h };
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw ImagesApiException.invalid("size", "invalid_value", "The offline emulator draws WIDTHxHEIGHT sizes up "
                + "to " + MAX_SIDE + " a side, or auto.");
    }

    /** imagefn always asks for base64; the emulator has no WebP encoder. */
    static String output(ImageModel model, String responseFormat, String outputFormat) {
        if (model.answer().takesResponseFormat() && !"b64_json".equals(responseFormat)) {
            throw ImagesApiException.invalid("response_format", "invalid_value",
                    "The offline emulator returns images as b64_json only.");
        }
        String format = outputFormat == null ? "png" : outputFormat;
        if (!FORMATS.contains(format)) {
            throw ImagesApiException.invalid("output_format", "invalid_value",
                    "The offline emulator encodes png or jpeg only (the JVM has no WebP encoder).");
        }
        return format;
    }

    /** 0 to 3 partial images; anything else is drawn as the nearest. */
    static int partials(Integer partialImages) {
        return partialImages == null ? 0 : Math.max(0, Math.min(3, partialImages));
    }
}
