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

    /** A PNG's own header (colour type) or a tRNS chunk before the image data says it can be transparent. */
    @Test
    void pngTransparencyComesFromTheColourTypeOrATrnsChunk() throws IOException {
        assertTrue(read(TestImages.pngWithAlpha(8, 8, true)).alpha(), "RGBA");
        ImageHeader opaque = read(TestImages.png(8, 6, Color.RED));
        assertTrue(!opaque.alpha(), "RGB");
        assertEquals(48, opaque.pixels());
        assertTrue(!opaque.square());
        assertTrue(read(TestImages.png(7, 7, Color.RED)).square());
        // an RGB PNG with a tRNS chunk after IHDR: transparent
        byte[] rgb = TestImages.png(8, 8, Color.RED);
        ByteArrayOutputStream withTrns = new ByteArrayOutputStream();
        withTrns.write(rgb, 0, 33);
        withTrns.writeBytes(new byte[] { 0, 0, 0, 6, 't', 'R', 'N', 'S', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        withTrns.write(rgb, 33, rgb.length - 33);
        assertTrue(read(withTrns.toByteArray()).alpha(), "tRNS");
        // the same chunk after the image data does not count (a decoder applies tRNS only before IDAT)
        ByteArrayOutputStream late = new ByteArrayOutputStream();
        late.write(rgb, 0, rgb.length - 12);
        late.writeBytes(new byte[] { 0, 0, 0, 6, 't', 'R', 'N', 'S', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        late.write(rgb, rgb.length - 12, 12);
        assertTrue(!read(late.toByteArray()).alpha(), "tRNS after IDAT");
    }

    /** A lossy (VP8) WebP: a key frame with its start code. */
    private static byte[] lossyWebp(int width, int height, boolean keyFrame, boolean startCode) {
        byte[] frame = new byte[10];
        frame[0] = (byte) (keyFrame ? 0x10 : 0x11);
        if (startCode) {
            frame[3] = (byte) 0x9d;
            frame[4] = 0x01;
            frame[5] = 0x2a;
        }
        frame[6] = (byte) width;
        frame[7] = (byte) (width >> 8);
        frame[8] = (byte) height;
        frame[9] = (byte) (height >> 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        out.writeBytes(le32(4 + 8 + frame.length));
        out.writeBytes("WEBPVP8 ".getBytes());
        out.writeBytes(le32(frame.length));
        out.writeBytes(frame);
        return out.toByteArray();
    }

    @Test
    void aLossyWebpIsMeasuredByItsKeyFrame() {
        ImageHeader h = read(lossyWebp(640, 480, true, true));
        assertEquals(640, h.width());
        assertEquals(480, h.height());
        assertTrue(!h.alpha());
        assertTrue(ImageHeader.read(lossyWebp(640, 480, false, true)).isEmpty(), "not a key frame");
        assertTrue(ImageHeader.read(lossyWebp(640, 480, true, false)).isEmpty(), "no start code");
        assertTrue(ImageHeader.read(lossyWebp(0, 480, true, true)).isEmpty(), "no width");
    }

    @Test
    void aLosslessWebpCarriesItsAlphaFlag() {
        byte[] webp = TestImages.webpHeader(10, 20);
        webp[24] |= 0x10; // the alpha bit, bit 28 of the 32 bits after the signature
        assertTrue(read(webp).alpha());
        assertTrue(!read(TestImages.webpHeader(10, 20)).alpha());
        byte[] version = TestImages.webpHeader(10, 20);
        version[24] |= 0x20; // a version other than 0
        assertTrue(ImageHeader.read(version).isEmpty());
    }

    /** An animated VP8X file: its canvas, each frame (ANMF) placed inside it. */
    private static byte[] animatedWebp(int canvasW, int canvasH, int frameX, int frameW, boolean alpha) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WEBP".getBytes());
        body.writeBytes("VP8X".getBytes());
        body.writeBytes(le32(10));
        body.writeBytes(new byte[] { (byte) (0x02 | (alpha ? 0x10 : 0)), 0, 0, 0 });
        body.writeBytes(le24(canvasW - 1));
        body.writeBytes(le24(canvasH - 1));
        body.writeBytes("ANMF".getBytes());
        body.writeBytes(le32(16));
        body.writeBytes(le24(frameX / 2));
        body.writeBytes(le24(0));
        body.writeBytes(le24(frameW - 1));
        body.writeBytes(le24(canvasH - 1));
        body.writeBytes(new byte[] { 0, 0, 0, 0 });
        byte[] payload = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        out.writeBytes(le32(payload.length));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void anAnimationIsMeasuredByItsCanvasWhenEveryFrameFitsInIt() {
        ImageHeader h = read(animatedWebp(400, 300, 100, 300, true));
        assertEquals(400, h.width());
        assertEquals(300, h.height());
        assertTrue(h.alpha());
        assertTrue(!read(animatedWebp(400, 300, 0, 400, false)).alpha());
        assertTrue(ImageHeader.read(animatedWebp(400, 300, 102, 300, false)).isEmpty(), "a frame past the canvas");
        assertTrue(ImageHeader.read(animatedWebp(400, 300, 0, 401, false)).isEmpty(), "a frame wider than it");
    }
}
