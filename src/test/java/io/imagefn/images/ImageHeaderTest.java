package io.imagefn.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.imagefn.support.TestImages;

/**
 * The dimensions the header reader finds are those of the frame a decoder decodes; the JDK's own JPEG and PNG readers
 * (javax.imageio, which walk the files to their frame headers without decoding) are the independent judge. A file
 * that cannot be walked is not measured.
 */
public class ImageHeaderTest {

    /** JPEG: SOI, TEM (standalone, no length), an APP1 whose payload is a fake 16x16 SOF, then the real frame. */
    public static byte[] decoyJpeg(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] { (byte) 0xff, (byte) 0xd8 });
        out.writeBytes(new byte[] { (byte) 0xff, 0x01 });
        // APP1, length 19: its payload starts like a marker walker that mistook TEM for a segment would read it
        byte[] fake = sof(16, 16);
        out.writeBytes(new byte[] { (byte) 0xff, (byte) 0xe1, 0, (byte) (fake.length + 2) });
        out.writeBytes(fake);
        out.writeBytes(sof(width, height));
        // a scan header and a little entropy-coded data, as a decoder reaching the frame expects next
        out.writeBytes(new byte[] { (byte) 0xff, (byte) 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34 });
        out.writeBytes(new byte[] { (byte) 0xff, (byte) 0xd9 });
        return out.toByteArray();
    }

    /** A baseline SOF0 segment (marker, length, precision, height, width, one component). */
    private static byte[] sof(int width, int height) {
        return new byte[] { (byte) 0xff, (byte) 0xc0, 0, 11, 8, (byte) (height >> 8), (byte) height,
                (byte) (width >> 8), (byte) width, 1, 1, 0x11, 0 };
    }

    private static ImageHeader read(byte[] bytes) {
        return ImageHeader.read(bytes).orElseThrow(() -> new AssertionError("not measured"));
    }

    /** What javax.imageio's reader says the first image's size is, read from the header (no decoding). */
    private static int[] imageIoSize(byte[] bytes) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] { reader.getWidth(0), reader.getHeight(0) };
            } finally {
                reader.dispose();
            }
        }
    }

    @Test
    void theDecoyJpegIsMeasuredByItsRealFrameAsTheJdkDecoderMeasuresIt() throws IOException {
        byte[] decoy = decoyJpeg(40000, 30000);
        ImageHeader header = read(decoy);
        assertEquals(40000, header.width());
        assertEquals(30000, header.height());
        assertEquals(Arrays.toString(new int[] { 40000, 30000 }), Arrays.toString(imageIoSize(decoy)));
    }

    @ParameterizedTest
    @CsvSource({ "1,1", "17,5", "640,480", "1024,1536" })
    void realJpegsAndPngsMeasureAsTheJdkReadsThem(int width, int height) throws IOException {
        for (byte[] image : new byte[][] { TestImages.jpeg(width, height), TestImages.png(width, height, Color.RED) }) {
            ImageHeader header = read(image);
            int[] jdk = imageIoSize(image);
            assertEquals(jdk[0], header.width());
            assertEquals(jdk[1], header.height());
        }
    }

    @Test
    void fillBytesBeforeAMarkerAreSkippedAsADecoderSkipsThem() throws IOException {
        byte[] jpeg = TestImages.jpeg(33, 21);
        byte[] filled = new byte[jpeg.length + 3];
        filled[0] = jpeg[0];
        filled[1] = jpeg[1];
        filled[2] = (byte) 0xff;
        filled[3] = (byte) 0xff;
        filled[4] = (byte) 0xff;
        System.arraycopy(jpeg, 2, filled, 5, jpeg.length - 2);
        assertEquals(33, read(filled).width());
        assertEquals(33, imageIoSize(filled)[0]);
    }

    @Test
    void aJpegThatCannotBeWalkedToAFrameIsNotMeasured() {
        byte[] real = TestImages.jpeg(64, 48);
        // cut inside the first segment after SOI
        assertTrue(ImageHeader.read(Arrays.copyOf(real, 10)).isEmpty(), "truncated");
        // the end, or a scan, before any frame
        assertTrue(ImageHeader.read(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd9 }).isEmpty());
        assertTrue(ImageHeader.read(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xda, 0, 8, 1, 1, 0, 0,
                63, 0 }).isEmpty());
        // a segment length that runs past the end of the file
        assertTrue(ImageHeader.read(new byte[] { (byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0x7f, 0x7f, 1,
                2, 3 }).isEmpty());
        // bytes that are not a marker where one must be
        byte[] broken = decoyJpeg(100, 100);
        broken[4] = 0x12;
        assertTrue(ImageHeader.read(broken).isEmpty());
    }

    @Test
    void aPngWhoseFirstChunkIsNotAProperIhdrIsNotMeasured() {
        byte[] png = TestImages.png(20, 10, Color.BLUE);
        assertEquals(20, read(png).width());
        byte[] otherFirst = png.clone();
        otherFirst[12] = 't'; // "tHDR": not IHDR
        assertTrue(ImageHeader.read(otherFirst).isEmpty());
        byte[] longIhdr = png.clone();
        longIhdr[11] = 14; // IHDR is always 13 bytes
        assertTrue(ImageHeader.read(longIhdr).isEmpty());
        assertTrue(ImageHeader.read(Arrays.copyOf(png, 24)).isEmpty(), "truncated");
    }

    /** A VP8X file: its canvas, then one VP8L frame of the given size. */
    private static byte[] extendedWebp(int canvasW, int canvasH, int frameW, int frameH) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WEBP".getBytes());
        body.writeBytes("VP8X".getBytes());
        body.writeBytes(le32(10));
        body.writeBytes(new byte[] { 0, 0, 0, 0 });
        body.writeBytes(le24(canvasW - 1));
        body.writeBytes(le24(canvasH - 1));
        byte[] frame = Arrays.copyOfRange(TestImages.webpHeader(frameW, frameH), 12, 40);
        body.writeBytes(frame);
        byte[] payload = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        out.writeBytes(le32(payload.length));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] le32(int v) {
        return new byte[] { (byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24) };
    }

    private static byte[] le24(int v) {
        return new byte[] { (byte) v, (byte) (v >> 8), (byte) (v >> 16) };
    }

    @Test
    void anExtendedWebpIsMeasuredOnlyWhenItsFrameMatchesItsCanvas() {
        Optional<ImageHeader> matching = ImageHeader.read(extendedWebp(300, 200, 300, 200));
        assertEquals(300, matching.orElseThrow().width());
        assertEquals(200, matching.get().height());
        // a small canvas hiding a large frame: libwebp refuses the mismatch, and so does the guard
        assertTrue(ImageHeader.read(extendedWebp(16, 16, 16000, 16000)).isEmpty());
    }

    @Test
    void aWebpThatIsTruncatedOrWhoseFrameHeaderIsWrongIsNotMeasured() {
        byte[] webp = TestImages.webpHeader(100, 50);
        assertEquals(100, read(webp).width());
        assertTrue(ImageHeader.read(Arrays.copyOf(webp, 30)).isEmpty(), "shorter than its RIFF size");
        byte[] noSignature = webp.clone();
        noSignature[20] = 0x00; // VP8L's signature byte is 0x2f
        assertTrue(ImageHeader.read(noSignature).isEmpty());
    }
}
