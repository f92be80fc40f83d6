package io.imagefn.inputs;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.imagefn.images.ImagesApiException;

/**
 * Downloads input images from caller-given URLs without letting the caller reach what it should not: only
 * {@code https} (and {@code http} when allowed), every hop's host resolved and checked (no loopback, private,
 * link-local or metadata addresses), a redirect limit, an optional host allow-list, a byte cap enforced while
 * reading, and a deadline for the whole download.
 *
 * <p>The JDK client resolves the host again when it connects, so a DNS answer that changes between the check and
 * the connection (rebinding) is not caught here; put the function in a network without access to private services,
 * or use the host allow-list, where that matters.
 */
public final class RemoteImages {

    /** How fetching is limited. */
    public record Policy(boolean allowHttp, boolean allowPrivateAddresses, Optional<List<String>> allowedHosts,
            int maxRedirects, Duration connectTimeout, Duration readTimeout, long maxBytes) {
    }

    private final Policy policy;
    private final HttpClient http;

    public RemoteImages(Policy policy) {
        this.policy = policy;
        this.http = HttpClient.newBuilder().connectTimeout(policy.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The body of {@code url}, or a 400 naming {@code param} that says why it was refused. */
    public byte[] fetch(String param, String url) {
        URI uri = parse(param, url);
        long deadline = System.nanoTime() + policy.readTimeout().toNanos();
        for (int hop = 0;; hop++) {
            check(param, uri);
            HttpResponse<InputStream> response = send(param, uri, deadline);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                close(response);
                if (hop >= policy.maxRedirects()) {
                    throw refused(param, "more than " + policy.maxRedirects() + " redirects");
                }
                uri = parse(param, uri.resolve(response.headers().firstValue("Location").get()).toString());
                continue;
            }
            if (status != 200) {
                close(response);
                throw refused(param, "the image URL answered HTTP " + status);
            }
            return read(param, response, deadline);
        }
    }

    private URI parse(String param, String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                throw refused(param, "the URL has no host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw refused(param, "not a valid URL");
        }
    }

    private void check(String param, URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && policy.allowHttp())) {
            throw refused(param, "only " + (policy.allowHttp() ? "http and https" : "https") + " URLs are fetched, not "
                    + (scheme.isEmpty() ? "this one" : scheme));
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (policy.allowedHosts().isPresent() && policy.allowedHosts().get().stream().noneMatch(h -> matches(host, h))) {
            throw refused(param, "the host " + host + " is not in the allowed list");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw refused(param, "the host " + host + " does not resolve");
        }
        for (InetAddress a : addresses) {
            if (AddressPolicy.alwaysRefused(a)
                    || (!policy.allowPrivateAddresses() && AddressPolicy.isPrivate(a))) {
                // the resolved address is not echoed: it would map the private network for the caller
                throw refused(param, "the host " + host + " resolves to a non-public address");
            }
        }
    }

    private static boolean matches(String host, String allowed) {
        String a = allowed.trim().toLowerCase(Locale.ROOT);
        return a.startsWith(".") ? host.endsWith(a) : host.equals(a);
    }

    private HttpResponse<InputStream> send(String param, URI uri, long deadline) {
        CompletableFuture<HttpResponse<InputStream>> future = http.sendAsync(
                HttpRequest.newBuilder(uri).header("Accept", "image/png,image/jpeg,image/webp").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try {
            return future.get(remaining(param, deadline), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw tooSlow(param);
        } catch (ExecutionException e) {
            throw refused(param, "the image URL could not be fetched (" + e.getCause().getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refused(param, "interrupted");
        }
    }

    private byte[] read(String param, HttpResponse<InputStream> response, long deadline) {
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > policy.maxBytes()) {
            close(response);
            throw tooLarge(param);
        }
        // a stalled body is cut off at the deadline by closing the stream under the reader
        CompletableFuture<Void> guard = CompletableFuture.runAsync(() -> close(response),
                CompletableFuture.delayedExecutor(remaining(param, deadline), TimeUnit.NANOSECONDS));
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, policy.maxBytes() + 1));
            if (bytes.length > policy.maxBytes()) {
                throw tooLarge(param);
            }
            if (System.nanoTime() > deadline) {
                throw tooSlow(param);
            }
            return bytes;
        } catch (IOException e) {
            if (System.nanoTime() > deadline) {
                throw tooSlow(param);
            }
            throw refused(param, "the download failed (" + e.getClass().getSimpleName() + ")");
        } finally {
            guard.cancel(false);
        }
    }

    private long remaining(String param, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw tooSlow(param);
        }
        return left;
    }

    private ImagesApiException tooSlow(String param) {
        long ms = policy.readTimeout().toMillis();
        return refused(param, "the image URL did not deliver the image within "
                + (ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms"));
    }

    private ImagesApiException tooLarge(String param) {
        return ImagesApiException.invalid(param, "image_too_large",
                "Invalid '" + param + "': the image at the URL is larger than " + policy.maxBytes() + " bytes.");
    }

    private static ImagesApiException refused(String param, String why) {
        return ImagesApiException.invalid(param, "invalid_image_url", "Invalid '" + param + "': " + why + ".");
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // closing to give the connection back; nothing to report
        }
    }
}
