package io.imagefn.upstream;

import java.util.List;
import java.util.Optional;

import io.imagefn.images.Usage;

/**
 * What the upstream produced, decoded: the bytes of every image (already paid for) and the metadata to pass on.
 *
 * @param requestId the upstream's {@code x-request-id}, for support tickets
 */
public record UpstreamImages(long created, List<Image> images, String background, String outputFormat,
        String quality, String size, Usage usage, Optional<String> requestId) {

    /** One produced image. */
    public record Image(byte[] bytes, String revisedPrompt) {
    }
}
