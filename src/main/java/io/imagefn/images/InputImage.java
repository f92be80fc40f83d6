package io.imagefn.images;

/**
 * An input image fetched and measured, ready for the byte-level rules.
 *
 * @param param where the caller put it ({@code images[1]}, {@code mask}, {@code image})
 */
public record InputImage(String param, byte[] bytes, ImageHeader header) {

    /** Measures the bytes; a 400 naming {@code param} when they are not an image we accept. */
    public static InputImage of(String param, byte[] bytes) {
        return new InputImage(param, bytes, InputRules.measure(param, bytes));
    }
}
