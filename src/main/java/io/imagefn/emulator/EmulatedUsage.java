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
        int text = Math.max(1, (prompt.length() + 3) / 4);
        int perSquare = switch (quality) {
            case "low" -> 272;
            case "high" -> 4160;
            default -> 1056;
        };
        double area = (double) size[0] * size[1] / (1024.0 * 1024.0);
        int output = (int) Math.round(perSquare * area) * n;
        return new Usage(text, new Usage.InputDetails(text, 0), output, new Usage.OutputDetails(output, 0),
                text + output);
    }
}
