package io.imagefn.support;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;

import javax.imageio.ImageIO;

/** Real image bytes for stubs, and plain HTTP fetching of signed URLs, as a user's browser would. */
public final class TestImages {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestImages() {
    }

    public static byte[] png(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        return write(image, "png");
    }

    /** A PNG with an alpha channel; the left half fully transparent when {@code clearLeftHalf}. */
    public static byte[] pngWithAlpha(int width, int height, boolean clearLeftHalf) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, clearLeftHalf && x < width / 2 ? 0x00000000 : 0xff2040c0);
            }
        }
        return write(image, "png");
    }

    public static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        return write(image, "jpeg");
    }

    /** Only a WebP (VP8L) header: enough for imagefn's checks, which read headers and never decode. */
    public static byte[] webpHeader(int width, int height) {
        byte[] b = new byte[64];
        System.arraycopy("RIFF".getBytes(), 0, b, 0, 4);
        b[4] = 56;
        System.arraycopy("WEBPVP8L".getBytes(), 0, b, 8, 8);
        b[16] = 20;
        b[20] = 0x2f;
        int bits = (width - 1) | ((height - 1) << 14);
        for (int i = 0; i < 4; i++) {
            b[21 + i] = (byte) (bits >>> (8 * i));
        }
        return b;
    }

    /** A PNG whose header claims the given size, with no image data: a decompression-bomb stand-in. */
    public static byte[] pngClaiming(int width, int height) {
        byte[] real = png(1, 1, Color.BLACK);
        byte[] b = real.clone();
        for (int i = 0; i < 4; i++) {
            b[16 + i] = (byte) (width >>> (24 - 8 * i));
            b[20 + i] = (byte) (height >>> (24 - 8 * i));
        }
        return b;
    }

    /** The same image padded past {@code totalBytes} with bytes after IEND, which decoders ignore. */
    public static byte[] paddedTo(byte[] image, int totalBytes) {
        byte[] b = new byte[Math.max(totalBytes, image.length)];
        System.arraycopy(image, 0, b, 0, image.length);
        return b;
    }

    public static String dataUrl(String declaredType, byte[] bytes) {
        return "data:" + declaredType + ";base64," + b64(bytes);
    }

    private static byte[] write(BufferedImage image, String format) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, format, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new AssertionError("not a decodable image (" + bytes.length + " bytes)");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GETs a URL with no credentials: what opening a signed link does. */
    public static HttpResponse<byte[]> fetch(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A valid PNG of {@code width x height} opaque black pixels, written row by row without ever holding the raster:
     * a few hundred kilobytes that decode to gigabytes (a decompression bomb, for the tests that must not decode it).
     */
    public static byte[] hugeBlackPng(int width, int height) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' });
            java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                    .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, "IHDR", ihdr.array());
            java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
            try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat,
                    new java.util.zip.Deflater(9))) {
                byte[] row = new byte[1 + 3 * width]; // filter byte 0, then black RGB
                for (int y = 0; y < height; y++) {
                    z.write(row);
                }
            }
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        crc.update(name);
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(name);
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
