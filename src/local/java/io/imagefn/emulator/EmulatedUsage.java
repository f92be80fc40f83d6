package io.imagefn.emulator;

import io.imagefn.images.Usage;

/**
 * Token counts shaped like the real ones: text tokens from the prompt length, image tokens from OpenAI's published
 * gpt-image-1 output table (1024x1024: low 272, medium 1056, high 4160), scaled by pixel area for other sizes.
 */
final class EmulatedUsage {

    private EmulatedUsage() {
    }

    static Usage of(String prompt, int n, int[] size, String quality) {
        return of(prompt, n, size, quality, 0);
    }

    /** With input images: 85 tokens each plus 170 per 512-pixel tile, the GPT vision formula. */
    static int imageTokens(io.imagefn.images.ImageHeader h) {
        int tiles = ((h.width() + 511) / 512) * ((h.height() + 511) / 512);
        return 85 + 170 * tiles;
    }

    static Usage of(String prompt, int n, int[] size, String quality, int inputImageTokens) {
        int text = Math.max(1, (prompt.length() + 3) / 4);
        int perSquare = switch (quality) {
            case "low" -> 272;
            case "high" -> 4160;
            default -> 1056;
        };
        double area = (double) size[0] * size[1] / (1024.0 * 1024.0);
        int output = (int) Math.round(perSquare * area) * n;
        int input = text + inputImageTokens;
        return new Usage(input, new Usage.InputDetails(text, inputImageTokens), output,
                new Usage.OutputDetails(output, 0), input + output);
    }
}
