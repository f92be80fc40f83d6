package io.imagefn.emulator;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.Usage;

/**
 * The emulator's stream (spec §6): for each image, {@code partial_images} partial events of increasing detail, then
 * the {@code completed} event with the final image and usage; no {@code [DONE]}, the response just ends.
 */
final class EmulatedStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmulatedStream() {
    }

    /** What every event of the stream repeats. */
    record Settings(String prefix, int partials, String size, String quality, String background, String format,
            int compression, Duration delay) {
    }

    static StreamingOutput of(Settings s, List<BufferedImage> images, Usage usage) {
        return out -> {
            for (BufferedImage image : images) {
                for (int p = 0; p < s.partials(); p++) {
                    pause(s.delay());
                    // coarse to fine: blocks of 32, 16, 8 pixels for three partials
                    int block = 1 << (s.partials() - p + 2);
                    Map<String, Object> partial = event(s, s.prefix() + ".partial_image",
                            pixelated(image, block));
                    partial.put("partial_image_index", p);
                    send(out, partial);
                }
                pause(s.delay());
                Map<String, Object> completed = event(s, s.prefix() + ".completed", image);
                completed.put("usage", new Usage(usage.inputTokens(), usage.inputTokensDetails(),
                        usage.outputTokens() / images.size(), null,
                        usage.inputTokens() + usage.outputTokens() / images.size()));
                send(out, completed);
            }
        };
    }

    private static Map<String, Object> event(Settings s, String type, BufferedImage image) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("b64_json", Base64.getEncoder().encodeToString(ImageRenderer.encode(image, s.format(), s.compression())));
        e.put("created_at", System.currentTimeMillis() / 1000);
        e.put("size", s.size());
        e.put("quality", s.quality());
        e.put("background", s.background());
        e.put("output_format", s.format());
        return e;
    }

    private static void send(OutputStream out, Map<String, Object> event) throws IOException {
        String text = "event: " + event.get("type") + "\ndata: " + JSON.writeValueAsString(event) + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static BufferedImage pixelated(BufferedImage image, int block) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage small = new BufferedImage(Math.max(1, w / block), Math.max(1, h / block), image.getType());
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, small.getWidth(), small.getHeight(), null);
        g.dispose();
        BufferedImage out = new BufferedImage(w, h, image.getType());
        g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(small, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
