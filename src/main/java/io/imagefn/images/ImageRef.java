package io.imagefn.images;

import java.util.List;

/**
 * An input image as the caller names it: a {@code data:} or {@code https:} URL, the {@code id} of an image this
 * service stored ({@code file_id}, so results can be edited without shipping them back), or bytes uploaded in a
 * multipart form.
 *
 * @param param where it sits in the request ({@code images[0]}, {@code mask}, {@code image}), for error messages
 */
public record ImageRef(String param, String imageUrl, String fileId, byte[] bytes) {

    static ImageRef url(String param, String url) {
        return new ImageRef(param, url, null, null);
    }

    static ImageRef fileId(String param, String id) {
        return new ImageRef(param, null, id, null);
    }

    /** The bytes of uploaded files (an upload list, then an optional mask), for fingerprinting a request. */
    static List<byte[]> uploadedBytes(List<ImageRef> uploads, ImageRef mask) {
        List<byte[]> bytes = new java.util.ArrayList<>();
        if (uploads != null) {
            uploads.forEach(u -> bytes.add(u.bytes() == null ? new byte[0] : u.bytes()));
        }
        if (mask != null && mask.bytes() != null) {
            bytes.add(mask.bytes());
        }
        return bytes;
    }

    /** An uploaded file. */
    public static ImageRef upload(String param, byte[] bytes) {
        return new ImageRef(param, null, null, bytes);
    }
}
