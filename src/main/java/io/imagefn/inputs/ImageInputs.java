package io.imagefn.inputs;

import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImageRef;
import io.imagefn.images.InputRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.InputImage;
import io.imagefn.memory.MemoryBudget;
import io.imagefn.storage.ImageStore;
import io.imagefn.storage.StorageException;

/** Turns the caller's image references into measured bytes: a {@code data:} URL, a remote URL, or a stored id. */
@ApplicationScoped
public class ImageInputs {

    /** The spec's limit on an {@code image_url}, data URLs included. */
    public static final int MAX_IMAGE_URL_CHARS = 20_971_520;

    private final ImageStore store;
    private final RemoteImages remote;

    public ImageInputs(ImagefnConfig config, ImageStore store, NetworkAccess network) {
        this.store = store;
        ImagefnConfig.Inputs in = config.inputs();
        this.remote = new RemoteImages(new RemoteImages.Policy(in.allowHttp(), in.allowPrivateAddresses(),
                in.allowedHosts(), in.maxRedirects(), in.connectTimeout(), in.readTimeout(),
                InputRules.GPT_MAX_IMAGE_BYTES), network);
    }

    /**
     * Loads and measures one image; every failure is a 4xx naming {@code ref.param()}. A {@code file_id} names an
     * image {@code owner} stored: another caller's is not found. What is downloaded or read back is held for the
     * request in {@code lease} (503 {@code server_busy} when the instance's budget is full); inline bytes came with
     * the body, which was budgeted when it arrived.
     */
    public InputImage load(ImageRef ref, String owner, MemoryBudget.Lease lease) {
        byte[] bytes = ref.bytes() != null ? ref.bytes() : ref.fileId() != null ? stored(ref, owner, lease)
                : fromUrl(ref, lease);
        return InputImage.of(ref.param(), bytes);
    }

    private byte[] stored(ImageRef ref, String owner, MemoryBudget.Lease lease) {
        byte[] bytes = readStored(ref, owner);
        // read first (the bucket tells no size up front); one image at a time can be over the budget, never more
        lease.reserve(bytes.length);
        return bytes;
    }

    private byte[] readStored(ImageRef ref, String owner) {
        try {
            return store.read(ref.fileId(), owner).orElseThrow(() -> new ImagesApiException(404,
                    ImagesApiException.INVALID_REQUEST, ref.param(), "image_not_found",
                    "No stored image with id '" + ImagesApiException.excerpt(ref.fileId()) + "' (ids come from this "
                            + "service's responses, and their images expire with the bucket's lifecycle).", null));
        } catch (StorageException e) {
            throw new ImagesApiException(503, "api_error", ref.param(), "storage_unavailable",
                    "The object store could not be read; retry shortly.", java.time.Duration.ofSeconds(2));
        }
    }

    private byte[] fromUrl(ImageRef ref, MemoryBudget.Lease lease) {
        String url = ref.imageUrl();
        if (url.length() > MAX_IMAGE_URL_CHARS) {
            throw ImagesApiException.invalid(ref.param(), "string_above_max_length", "Invalid '" + ref.param()
                    + ".image_url': longer than " + MAX_IMAGE_URL_CHARS + " characters.");
        }
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            return dataUrl(ref.param(), url);
        }
        return remote.fetch(ref.param(), url, lease);
    }

    /** {@code data:[<type>];base64,<data>}: the declared type is ignored, the bytes are sniffed instead. */
    public static byte[] dataUrl(String param, String url) {
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).toLowerCase(java.util.Locale.ROOT).endsWith(";base64")) {
            throw ImagesApiException.invalid(param, "invalid_image_url",
                    "Invalid '" + param + "': a data URL must be base64 encoded (data:image/png;base64,...).");
        }
        try {
            return Base64.getDecoder().decode(url.substring(comma + 1).strip());
        } catch (IllegalArgumentException e) {
            throw ImagesApiException.invalid(param, "invalid_base64",
                    "Invalid '" + param + "': the data URL is not valid base64.");
        }
    }
}
