package io.imagefn.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

import org.apache.commons.io.output.UnsynchronizedByteArrayOutputStream;

/**
 * One image's bytes, written as they are decoded and held in chunks: growing never copies what is already there, and
 * reading them back (for the upload) neither. An image larger than its cap is refused while it is written, before
 * the memory is spent.
 */
public final class ImageBytes extends OutputStream {

    private static final int FIRST_CHUNK = 64 * 1024;

    private final UnsynchronizedByteArrayOutputStream chunks;
    private final long cap;

    private ImageBytes(long cap) {
        this.cap = cap;
        this.chunks = UnsynchronizedByteArrayOutputStream.builder().setBufferSize(FIRST_CHUNK).get();
    }

    /** An empty image that refuses to grow beyond {@code cap} bytes ({@link TooLarge}). */
    public static ImageBytes capped(long cap) {
        return new ImageBytes(cap);
    }

    /** Thrown by a write that would take the image beyond its cap. */
    public static final class TooLarge extends IOException {
        TooLarge(long cap) {
            super("an image over " + cap + " bytes");
        }
    }

    @Override
    public void write(int b) throws IOException {
        room(1);
        chunks.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        room(len);
        chunks.write(b, off, len);
    }

    private void room(int len) throws TooLarge {
        if (chunks.size() + (long) len > cap) {
            throw new TooLarge(cap);
        }
    }

    public int size() {
        return chunks.size();
    }

    /** The bytes from the start, without a copy; as many streams as needed (an upload may be retried). */
    public InputStream newInputStream() {
        return chunks.toInputStream();
    }

    /** The format the bytes really are, from their first bytes. */
    public Optional<ImageFormat> format() {
        try (InputStream in = newInputStream()) {
            return ImageFormat.sniff(in.readNBytes(16));
        } catch (IOException e) {
            throw new IllegalStateException("reading bytes held in memory", e);
        }
    }

    /** One contiguous copy, for the answers that carry the image inline. */
    public byte[] toByteArray() {
        return chunks.toByteArray();
    }
}
