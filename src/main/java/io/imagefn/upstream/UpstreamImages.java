package io.imagefn.upstream;

import java.net.URI;
import java.util.Optional;

import io.imagefn.images.ImageBytes;
import io.imagefn.images.Usage;

/**
 * What the upstream said about the images it produced, once its answer is read; the images themselves were handed
 * over one by one while it was read ({@link UpstreamAnswer#read}).
 *
 * @param count how many images the answer carried
 * @param requestId the upstream's {@code x-request-id}, for support tickets
 */
public record UpstreamImages(long created, int count, String background, String outputFormat, String quality,
        String size, Usage usage, Optional<String> requestId) {

    /**
     * One produced image, as soon as it is complete: its bytes, or (from an upstream that answers with URLs) where
     * to fetch them, which {@link UpstreamDownloads} does outside the retried call.
     */
    public record Image(ImageBytes bytes, URI url, String revisedPrompt) {
    }
}
