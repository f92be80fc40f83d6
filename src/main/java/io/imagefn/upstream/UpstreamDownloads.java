package io.imagefn.upstream;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImageBytes;
import io.imagefn.inputs.NetworkAccess;
import io.imagefn.inputs.RemoteImages;

/**
 * Fetches the images an upstream answered with as URLs (one that ignores {@code response_format}), before they
 * expire. This runs after the upstream call has returned, outside its retries and circuit breaker: the generation is
 * already paid for, so a failed download is retried on its own (a couple of quick attempts) and never makes the
 * generation run, and be billed, again. The URLs come from the upstream's answer, so they pass the same address
 * policy as a caller's input URLs ({@link RemoteImages}: {@code https}, public addresses, every redirect vetted)
 * unless {@code imagefn.upstream.answer-urls.*} says otherwise.
 */
@ApplicationScoped
public class UpstreamDownloads {

    static final int MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

    private final RemoteImages fetcher;

    public UpstreamDownloads(ImagefnConfig config, UpstreamConnection connection, NetworkAccess network) {
        ImagefnConfig.AnswerUrls urls = config.upstream().answerUrls();
        this.fetcher = new RemoteImages(new RemoteImages.Policy(urls.allowHttp(), urls.allowPrivateAddresses(),
                Optional.empty(), 3, config.upstream().connectTimeout(), connection.readTimeout(),
                MAX_DOWNLOAD_BYTES), network);
    }

    /**
     * One image an upstream answered with as a URL, received in chunks; a broken connection or a 5xx is tried again,
     * twice at most. Never refused for memory: the image is paid for.
     */
    @Retry(maxRetries = 2, delay = 250, delayUnit = ChronoUnit.MILLIS, jitter = 100,
            retryOn = UpstreamUnavailableException.class)
    public ImageBytes download(URI url, String requestId) {
        try {
            return fetcher.get(url.toString(), null);
        } catch (RemoteImages.Refused e) {
            String why = "image URL: " + e.getMessage();
            if (e.passing()) {
                throw new UpstreamUnavailableException(502, new UpstreamException.UpstreamError(why, "api_error", null,
                        "bad_upstream_response"), requestId, null, null, null);
            }
            throw UpstreamException.badResponse(why, requestId, null);
        }
    }
}
