package io.imagefn.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImageBytes;

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

    /**
     * One image an upstream answered with as a URL, received in chunks; a broken connection or a 5xx is tried again,
     * twice at most.
     */
    @Retry(maxRetries = 2, delay = 250, delayUnit = ChronoUnit.MILLIS, jitter = 100,
            retryOn = UpstreamUnavailableException.class)
    public ImageBytes download(URI url, String requestId) {
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
                ImageBytes bytes = ImageBytes.capped(MAX_DOWNLOAD_BYTES);
                try {
                    in.transferTo(bytes);
                } catch (ImageBytes.TooLarge e) {
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
