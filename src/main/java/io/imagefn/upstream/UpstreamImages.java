package io.imagefn.upstream;

import java.net.URI;
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

    /**
     * One produced image: its bytes, or (from an upstream that answers with URLs) where to fetch them, which
     * {@link UpstreamDownloads} does outside the retried call.
     */
    public record Image(byte[] bytes, URI url, String revisedPrompt) {
    }

    /** The same answer with these images. */
    UpstreamImages with(List<Image> fetched) {
        return new UpstreamImages(created, fetched, background, outputFormat, quality, size, usage, requestId);
    }
}
