package io.imagefn.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;

import io.imagefn.config.ImagefnConfig;

/**
 * Fetches the images an upstream answered with as URLs (one that ignores {@code response_format}), before they
 * expire. This runs after the upstream call has returned, outside its retries and circuit breaker: the generation is
 * already paid for, so a failed download is retried on its own (a couple of quick attempts) and never makes the
 * generation run, and be billed, again.
 */
@ApplicationScoped
public class UpstreamDownloads {

    static final int MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

    private final HttpClient http;
    private final UpstreamConnection connection;

    public UpstreamDownloads(ImagefnConfig config, UpstreamConnection connection) {
        this.connection = connection;
        this.http = HttpClient.newBuilder().connectTimeout(config.upstream().connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The answer with every image's bytes: those sent inline as they are, the others downloaded. */
    public UpstreamImages complete(UpstreamImages produced) {
        if (produced.images().stream().allMatch(i -> i.bytes() != null)) {
            return produced;
        }
        List<UpstreamImages.Image> fetched = new ArrayList<>(produced.images().size());
        for (UpstreamImages.Image image : produced.images()) {
            fetched.add(image.bytes() != null ? image : new UpstreamImages.Image(
                    download(image.url(), produced.requestId().orElse(null)), null, image.revisedPrompt()));
        }
        return produced.with(fetched);
    }

    /** One image; a broken connection or a 5xx is tried again, twice at most. */
    @Retry(maxRetries = 2, delay = 250, delayUnit = ChronoUnit.MILLIS, jitter = 100,
            retryOn = UpstreamUnavailableException.class)
    byte[] download(URI url, String requestId) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url).timeout(connection.readTimeout())
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() >= 500) {
                    throw new UpstreamUnavailableException(r.statusCode(), new UpstreamException.UpstreamError(
                            "image URL answered " + r.statusCode(), "api_error", null, "bad_upstream_response"),
                            requestId, null, null, null);
                }
                if (r.statusCode() != 200) {
                    throw UpstreamException.badResponse("image URL answered " + r.statusCode(), requestId, null);
                }
                byte[] bytes = in.readNBytes(MAX_DOWNLOAD_BYTES + 1);
                if (bytes.length > MAX_DOWNLOAD_BYTES) {
                    throw UpstreamException.badResponse("image URL body over " + MAX_DOWNLOAD_BYTES + " bytes",
                            requestId, null);
                }
                return bytes;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UpstreamException.connectionFailed(e);
        } catch (IOException e) {
            throw UpstreamException.connectionFailed(e);
        }
    }
}
