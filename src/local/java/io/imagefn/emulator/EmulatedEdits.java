package io.imagefn.emulator;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import io.imagefn.images.ImageFormat;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.InputImage;

/**
 * The emulator's stand-in for editing: the area to edit (the mask's fully transparent pixels; for dall-e-2 without a
 * mask, the image's own transparent pixels; for GPT models without a mask, the whole image) is replaced by a
 * placeholder drawing with the other input images composed into it. Every other pixel is kept as it was.
 */
final class EmulatedEdits {

    private EmulatedEdits() {
    }

    enum NoMask {
        /** dall-e-2: the image's transparency is the mask */
        OWN_TRANSPARENCY,
        /** GPT image models: the whole image is reworked */
        WHOLE_IMAGE
    }

    static BufferedImage edit(List<InputImage> images, InputImage mask, NoMask noMask, int width, int height,
            boolean transparent, long seed) {
        BufferedImage base = scaled(decode(images.get(0)), width, height);
        BufferedImage layer = ImageRenderer.render(width, height, false, seed);
        Graphics2D g = layer.createGraphics();
        try {
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.7f));
            for (int i = 1; i < images.size(); i++) {
                // the other inputs, composed as tiles along the diagonal
                int tile = Math.max(1, Math.min(width, height) / 3);
                int at = ((i - 1) % 3) * tile;
                g.drawImage(scaled(decode(images.get(i)), tile, tile), at, at, null);
            }
        } finally {
            g.dispose();
        }
        BufferedImage editArea = mask != null ? scaled(decode(mask), width, height)
                : noMask == NoMask.OWN_TRANSPARENCY ? base : null;
        BufferedImage out = new BufferedImage(width, height,
                transparent ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean edited = editArea == null || (editArea.getRGB(x, y) >>> 24) == 0;
                out.setRGB(x, y, edited ? layer.getRGB(x, y) : base.getRGB(x, y));
            }
        }
        return out;
    }

    /** A variation: the input, recognisably, with a perturbation that differs per index. */
    static BufferedImage vary(InputImage image, int size, long seed) {
        BufferedImage out = scaled(decode(image), size, size);
        BufferedImage noise = ImageRenderer.render(size, size, true, seed);
        Graphics2D g = out.createGraphics();
        try {
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.35f));
            g.drawImage(noise, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The longest side the emulator decodes an input image to. */
    static final int MAX_DECODED_SIDE = 2048;

    static BufferedImage decode(InputImage image) {
        if (image.header().format() == ImageFormat.WEBP) {
            throw ImagesApiException.invalid(image.param(), "invalid_image_file",
                    "The offline emulator cannot decode WebP (the JVM has no WebP decoder); send png or jpeg.");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image.bytes()))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("no decoder");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // a small file can claim a huge raster (8192x8192 is 256 MB decoded): read every n-th pixel so that
                // no side exceeds MAX_DECODED_SIDE; the emulator's placeholder edits need no more
                int longest = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, (longest + MAX_DECODED_SIDE - 1) / MAX_DECODED_SIDE);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw ImagesApiException.invalid(image.param(), "invalid_image_file",
                    "Invalid '" + image.param() + "': the image could not be decoded.");
        }
    }

    /** Nearest-neighbour, so a mask's fully transparent pixels stay fully transparent. */
    private static BufferedImage scaled(BufferedImage source, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setComposite(AlphaComposite.Src);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
