package io.imagefn.emulator;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws placeholder images that are deterministic from the request: the same prompt and settings give the same
 * picture, different ones differ. A stand-in for a model, not a model.
 */
final class ImageRenderer {

    private ImageRenderer() {
    }

    /** Renders one image; {@code seed} comes from the request and the image's index. */
    static BufferedImage render(int width, int height, boolean transparent, long seed) {
        BufferedImage image = new BufferedImage(width, height,
                transparent ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Random random = new Random(seed);
            if (transparent) {
                g.setComposite(AlphaComposite.Clear);
                g.fillRect(0, 0, width, height);
                g.setComposite(AlphaComposite.SrcOver);
            } else {
                g.setPaint(new GradientPaint(0, 0, color(random, 255), width, height, color(random, 255)));
                g.fillRect(0, 0, width, height);
            }
            int shapes = 6 + random.nextInt(10);
            int unit = Math.max(8, Math.min(width, height) / 4);
            for (int i = 0; i < shapes; i++) {
                g.setColor(color(random, 160 + random.nextInt(96)));
                int w = unit / 2 + random.nextInt(unit);
                int h = unit / 2 + random.nextInt(unit);
                int x = random.nextInt(Math.max(1, width - w / 2));
                int y = random.nextInt(Math.max(1, height - h / 2));
                if (random.nextBoolean()) {
                    g.fillOval(x, y, w, h);
                } else {
                    g.fillRoundRect(x, y, w, h, unit / 6, unit / 6);
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static Color color(Random random, int alpha) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256), alpha);
    }

    /**
     * PNG, or JPEG at {@code compression} percent (100 = best quality, as {@code output_compression} means). Always
     * through a memory stream: {@code ImageIO.write} to a stream caches in a temporary file whose clean-up is a
     * shutdown hook, which the JVM refuses while it stops, so an image drawn during a graceful shutdown failed.
     */
    static byte[] encode(BufferedImage image, String format, int compression) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                ImageWriteParam param = writer.getDefaultWriteParam();
                if (!format.equals("png")) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(compression / 100f);
                }
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
