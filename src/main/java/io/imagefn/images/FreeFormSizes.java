package io.imagefn.images;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * gpt-image-2's free-form sizes (spec §2): {@code WIDTHxHEIGHT}, both sides multiples of 16, the aspect ratio within
 * 1:3..3:1, at most 3840x2160. A model outside the table (unknown models allowed) is held to the form only.
 */
final class FreeFormSizes {

    private static final Pattern WXH = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    static final int STEP = 16;
    static final int MAX_LONG_EDGE = 3840;
    static final int MAX_SHORT_EDGE = 2160;
    static final int MAX_RATIO = 3;

    private FreeFormSizes() {
    }

    static void check(String size, ImageModel model) {
        Matcher m = WXH.matcher(size);
        if (!m.matches()) {
            throw ImagesApiException.invalid("size", "invalid_value", "Invalid value: '"
                    + ImagesApiException.excerpt(size) + "'. Expected 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'.");
        }
        if (!model.tableEntry()) {
            return;
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        int longEdge = Math.max(w, h);
        int shortEdge = Math.min(w, h);
        String problem = null;
        if (w < STEP || h < STEP || w % STEP != 0 || h % STEP != 0) {
            problem = "both sides must be positive multiples of " + STEP;
        } else if (longEdge > MAX_RATIO * shortEdge) {
            problem = "the aspect ratio must be between 1:3 and 3:1";
        } else if (longEdge > MAX_LONG_EDGE || shortEdge > MAX_SHORT_EDGE) {
            problem = "the largest size is " + MAX_LONG_EDGE + "x" + MAX_SHORT_EDGE;
        }
        if (problem != null) {
            throw ImagesApiException.invalid("size", "invalid_value",
                    "Invalid size '" + ImagesApiException.excerpt(size) + "' for " + model.name() + ": " + problem
                            + ".");
        }
    }

}
