package io.imagefn.emulator;

/** The pixel size the emulator draws for an edit that names none (otherwise {@link EmulatorChecks#size}). */
final class EmulatedSize {

    private EmulatedSize() {
    }

    /**
     * An edit without a size: as the GPT image models do, the supported size nearest the first image's shape
     * (OpenAI answers only 1024x1024, 1536x1024 or 1024x1536); DALL·E's default, 1024x1024.
     */
    static int[] forEdit(io.imagefn.images.ImageModel model, int width, int height) {
        if (model.editInputs().squarePngs()) {
            return new int[] { 1024, 1024 };
        }
        double ratio = (double) width / height;
        return ratio >= 1.25 ? new int[] { 1536, 1024 } : ratio <= 0.8 ? new int[] { 1024, 1536 }
                : new int[] { 1024, 1024 };
    }
}
