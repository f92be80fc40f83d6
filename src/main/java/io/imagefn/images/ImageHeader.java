package io.imagefn.images;

import java.util.Optional;

/**
 * What an image's header says: its real format, dimensions and whether it can carry transparency. Read from the first
 * bytes only, so a file claiming enormous dimensions is refused before anything decodes it.
 *
 * @param alpha PNG with an alpha channel (colour type 4 or 6) or a {@code tRNS} chunk; WebP with the alpha flag
 */
public record ImageHeader(ImageFormat format, int width, int height, boolean alpha) {

    /** Reads the header; empty when the bytes are not a PNG, JPEG or WebP we can measure. */
    public static Optional<ImageHeader> read(byte[] b) {
        Optional<ImageFormat> format = ImageFormat.sniff(b);
        if (format.isEmpty()) {
            return Optional.empty();
        }
        try {
            return switch (format.get()) {
                case PNG -> png(b);
                case JPEG -> jpeg(b);
                case WEBP -> webp(b);
            };
        } catch (IndexOutOfBoundsException truncated) {
            return Optional.empty();
        }
    }

    public long pixels() {
        return (long) width * height;
    }

    public boolean square() {
        return width == height;
    }

    private static Optional<ImageHeader> png(byte[] b) {
        // signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), depth (1), colour type (1)
        if (b.length < 33 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            return Optional.empty();
        }
        int width = int32(b, 16);
        int height = int32(b, 20);
        int colourType = b[25] & 0xff;
        boolean alpha = colourType == 4 || colourType == 6 || hasPngChunk(b, "tRNS");
        return positive(ImageFormat.PNG, width, height, alpha);
    }

    /** tRNS must come before the first IDAT, so only the chunks up to there are walked. */
    private static boolean hasPngChunk(byte[] b, String type) {
        int at = 8;
        while (at + 8 <= b.length) {
            long length = int32(b, at) & 0xffffffffL;
            String name = new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (name.equals(type)) {
                return true;
            }
            if (name.equals("IDAT") || name.equals("IEND") || length > b.length) {
                return false;
            }
            at += 12 + (int) length;
        }
        return false;
    }

    private static Optional<ImageHeader> jpeg(byte[] b) {
        int at = 2;
        while (at + 9 < b.length) {
            if ((b[at] & 0xff) != 0xff) {
                return Optional.empty();
            }
            int marker = b[at + 1] & 0xff;
            if (marker == 0xff) {
                at++;
                continue;
            }
            int length = uint16(b, at + 2);
            boolean startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8
                    && marker != 0xcc;
            if (startOfFrame) {
                return positive(ImageFormat.JPEG, uint16(b, at + 7), uint16(b, at + 5), false);
            }
            at += 2 + length;
        }
        return Optional.empty();
    }

    private static Optional<ImageHeader> webp(byte[] b) {
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        return switch (chunk) {
            case "VP8 " -> positive(ImageFormat.WEBP, uint16le(b, 26) & 0x3fff, uint16le(b, 28) & 0x3fff, false);
            case "VP8L" -> {
                int bits = int32le(b, 21);
                yield positive(ImageFormat.WEBP, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1,
                        ((bits >>> 28) & 1) == 1);
            }
            case "VP8X" -> positive(ImageFormat.WEBP, uint24le(b, 24) + 1, uint24le(b, 27) + 1, (b[20] & 0x10) != 0);
            default -> Optional.empty();
        };
    }

    private static Optional<ImageHeader> positive(ImageFormat format, int width, int height, boolean alpha) {
        return width > 0 && height > 0 ? Optional.of(new ImageHeader(format, width, height, alpha)) : Optional.empty();
    }

    private static int int32(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static int uint16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static int uint16le(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
    }

    private static int uint24le(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8) | ((b[at + 2] & 0xff) << 16);
    }

    private static int int32le(byte[] b, int at) {
        return uint16le(b, at) | (uint16le(b, at + 2) << 16);
    }
}
