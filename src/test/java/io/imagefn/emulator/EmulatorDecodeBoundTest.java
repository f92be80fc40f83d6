package io.imagefn.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

import io.imagefn.images.InputImage;
import io.imagefn.support.TestImages;

/**
 * The emulator never decodes an input to more than {@link EmulatedEdits#MAX_DECODED_SIDE} pixels on a side: an
 * 8192x8192 PNG of a few hundred kilobytes (256 MB as a raster) is read at every 4th pixel.
 */
class EmulatorDecodeBoundTest {

    @Test
    void aDecompressionBombIsDecodedSubsampled() {
        byte[] bomb = TestImages.hugeBlackPng(8192, 8192);
        assertTrue(bomb.length < 2_000_000, "small on the wire: " + bomb.length);

        BufferedImage decoded = EmulatedEdits.decode(InputImage.of("image", bomb));

        assertEquals(2048, decoded.getWidth());
        assertEquals(2048, decoded.getHeight());
    }

    @Test
    void anOrdinaryImageIsDecodedWhole() {
        BufferedImage decoded = EmulatedEdits.decode(InputImage.of("image", TestImages.png(1024, 768,
                java.awt.Color.RED)));

        assertEquals(1024, decoded.getWidth());
        assertEquals(768, decoded.getHeight());
    }
}
