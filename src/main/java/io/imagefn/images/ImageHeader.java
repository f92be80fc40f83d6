package io.imagefn.images;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What an image's header says: its real format, dimensions and whether it can carry transparency. Read from the
 * header only, so a file claiming enormous dimensions is refused before anything decodes it.
 *
 * <p>The dimensions are those of the frame a decoder would decode, found the way a decoder walks the file: a JPEG's
 * first start-of-frame after SOI, reached by skipping each segment by its length (standalone markers such as TEM and
 * RSTn have none); a PNG's IHDR, which must be the first chunk; a WebP's VP8 or VP8L frame, which for an extended file
 * (VP8X) must match the canvas it declares (animation frames must fit in it). A file that cannot be walked that way
 * (truncated, a segment length that runs past the end, a scan or the end before any frame) is not measured at all:
 * an attacker must not be able to show the guard one size and the decoder another.
 *
 * @param alpha PNG with an alpha channel (colour type 4 or 6) or a {@code tRNS} chunk; WebP with the alpha flag
 */
public record ImageHeader(ImageFormat format, int width, int height, boolean alpha) {

    /** Reads the header; empty when the bytes are not a PNG, JPEG or WebP we can walk and measure. */
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
        // signature (8), IHDR length (4) = 13, "IHDR" (4), width (4), height (4), depth (1), colour type (1)
        if (b.length < 33 || int32(b, 8) != 13 || !"IHDR".equals(ascii(b, 12, 4))) {
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
            String name = ascii(b, at + 4, 4);
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

    /**
     * Walks the markers after SOI as libjpeg does: fill bytes skipped, standalone markers (TEM, RSTn) without a length,
     * every other segment skipped by its length, until the first SOFn.
     */
    private static Optional<ImageHeader> jpeg(byte[] b) {
        int at = 2; // after SOI (FF D8), checked by sniff
        while (true) {
            if ((b[at] & 0xff) != 0xff) {
                return Optional.empty(); // not at a marker: the file cannot be walked
            }
            while ((b[at] & 0xff) == 0xff) {
                at++; // a marker may be preceded by any number of fill bytes
            }
            int marker = b[at] & 0xff;
            at++;
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                continue; // TEM, RSTn: standalone, no length
            }
            if (marker == 0x00 || marker == 0xd8 || marker == 0xd9 || marker == 0xda) {
                return Optional.empty(); // a stuffed byte, a second SOI, the end or a scan before any frame
            }
            int length = uint16(b, at);
            if (length < 2 || at + length > b.length) {
                return Optional.empty();
            }
            boolean startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8
                    && marker != 0xcc;
            if (startOfFrame) {
                // length (2), precision (1), height (2), width (2)
                return length < 8 ? Optional.empty()
                        : positive(ImageFormat.JPEG, uint16(b, at + 5), uint16(b, at + 3), false);
            }
            at += length;
        }
    }

    private static Optional<ImageHeader> webp(byte[] b) {
        long riffSize = uint32le(b, 4);
        if (riffSize < 12 || riffSize + 8 > b.length) {
            return Optional.empty(); // truncated, or a RIFF size no decoder accepts
        }
        Optional<Frame> first = frame(b, 12);
        if (first.isPresent()) {
            return first.map(f -> new ImageHeader(ImageFormat.WEBP, f.width(), f.height(), f.alpha()));
        }
        if (!"VP8X".equals(ascii(b, 12, 4)) || uint32le(b, 16) < 10) {
            return Optional.empty();
        }
        int flags = b[20] & 0xff;
        int width = uint24le(b, 24) + 1;
        int height = uint24le(b, 27) + 1;
        boolean animated = (flags & 0x02) != 0;
        boolean alpha = (flags & 0x10) != 0;
        // the chunks after VP8X: for a still image its frame must match the canvas (libwebp refuses a mismatch);
        // for an animation every frame must fit in it
        boolean sawFrame = false;
        for (int at = 12 + 8 + pad(uint32le(b, 16)); at + 8 <= riffSize + 8; at += 8 + pad(uint32le(b, at + 4))) {
            String chunk = ascii(b, at, 4);
            if (animated && chunk.equals("ANMF")) {
                long x = 2L * uint24le(b, at + 8);
                long y = 2L * uint24le(b, at + 11);
                int w = uint24le(b, at + 14) + 1;
                int h = uint24le(b, at + 17) + 1;
                if (x + w > width || y + h > height) {
                    return Optional.empty();
                }
                sawFrame = true;
            } else if (!animated && (chunk.equals("VP8 ") || chunk.equals("VP8L"))) {
                Optional<Frame> f = frame(b, at);
                if (f.isEmpty() || f.get().width() != width || f.get().height() != height) {
                    return Optional.empty();
                }
                sawFrame = true;
                break;
            }
        }
        return sawFrame ? positive(ImageFormat.WEBP, width, height, alpha) : Optional.empty();
    }

    /** A simple-format frame chunk (VP8 or VP8L) at {@code at}; empty for any other chunk or a bad frame header. */
    private static Optional<Frame> frame(byte[] b, int at) {
        String chunk = ascii(b, at, 4);
        int data = at + 8;
        if (chunk.equals("VP8 ")) {
            // frame tag (3; bit 0 clear on a key frame), start code 9d 01 2a, then 14-bit width and height
            if ((b[data] & 0x01) != 0 || (b[data + 3] & 0xff) != 0x9d || (b[data + 4] & 0xff) != 0x01
                    || (b[data + 5] & 0xff) != 0x2a) {
                return Optional.empty();
            }
            int w = uint16le(b, data + 6) & 0x3fff;
            int h = uint16le(b, data + 8) & 0x3fff;
            return w > 0 && h > 0 ? Optional.of(new Frame(w, h, false)) : Optional.empty();
        }
        if (chunk.equals("VP8L")) {
            // signature 0x2f, then width-1 (14 bits), height-1 (14), alpha (1), version (3, must be 0)
            int bits = int32le(b, data + 1);
            if ((b[data] & 0xff) != 0x2f || (bits >>> 29) != 0) {
                return Optional.empty();
            }
            return Optional.of(new Frame((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, ((bits >>> 28) & 1) == 1));
        }
        return Optional.empty();
    }

    private record Frame(int width, int height, boolean alpha) {
    }

    /** RIFF chunks are padded to an even size. */
    private static int pad(long size) {
        if (size > Integer.MAX_VALUE - 1) {
            throw new IndexOutOfBoundsException("chunk size");
        }
        return (int) (size + (size & 1));
    }

    private static Optional<ImageHeader> positive(ImageFormat format, int width, int height, boolean alpha) {
        return width > 0 && height > 0 ? Optional.of(new ImageHeader(format, width, height, alpha)) : Optional.empty();
    }

    private static String ascii(byte[] b, int at, int length) {
        if (at + length > b.length) {
            throw new IndexOutOfBoundsException(at + length);
        }
        return new String(b, at, length, StandardCharsets.ISO_8859_1);
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

    private static long uint32le(byte[] b, int at) {
        return int32le(b, at) & 0xffffffffL;
    }
}
