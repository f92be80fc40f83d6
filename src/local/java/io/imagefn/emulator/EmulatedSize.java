package io.imagefn.emulator;

/** The pixel size the emulator draws: {@code auto} and absent mean 1024x1024. */
final class EmulatedSize {

    private EmulatedSize() {
    }

    static int[] resolve(String size) {
        if (size == null || size.equals("auto")) {
            return new int[] { 1024, 1024 };
        }
        String[] wh = size.split("x");
        return new int[] { Integer.parseInt(wh[0]), Integer.parseInt(wh[1]) };
    }
}
