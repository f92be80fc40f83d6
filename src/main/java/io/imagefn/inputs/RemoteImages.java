package io.imagefn.inputs;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.util.Timeout;

import io.imagefn.images.ImagesApiException;

/**
 * Downloads input images from caller-given URLs without letting the caller reach what it should not: only
 * {@code https} (and {@code http} when allowed), every hop's host resolved and checked (no loopback, private,
 * link-local or metadata addresses), a redirect limit, an optional host allow-list, a byte cap enforced while
 * reading, and a deadline for the whole download.
 *
 * <p>The address check is the client's own name resolution ({@link VettingResolver}): the addresses that were vetted
 * are the ones connected to, so a DNS answer that changes between a check and the connection (rebinding) has no
 * second lookup to slip into. TLS still verifies the certificate against the host name.
 */
public final class RemoteImages {

    /** How fetching is limited. */
    public record Policy(boolean allowHttp, boolean allowPrivateAddresses, Optional<List<String>> allowedHosts,
            int maxRedirects, Duration connectTimeout, Duration readTimeout, long maxBytes) {
    }

    /** Name resolution: the system's in production, one the test controls in tests (no lookup leaves the machine). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Policy policy;
    private final CloseableHttpClient http;

    public RemoteImages(Policy policy) {
        this(policy, InetAddress::getAllByName);
    }

    public RemoteImages(Policy policy, Resolver resolver) {
        this.policy = policy;
        Timeout connect = Timeout.of(policy.connectTimeout());
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new VettingResolver(resolver, policy.allowPrivateAddresses()))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connect)
                                .setSocketTimeout(Timeout.of(policy.readTimeout())).build())
                        .setMaxConnTotal(64).setMaxConnPerRoute(8)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setRedirectsEnabled(false).build())
                .disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .useSystemProperties() // the JVM's trust store and proxy settings, as the JDK client had
                .build();
    }

    /**
     * Resolves a host and vets every address it resolves to; the connection then goes to one of exactly these.
     * A refusal carries its reason, which the fetch turns into the caller's 400.
     */
    static final class VettingResolver implements DnsResolver {
        private final Resolver resolver;
        private final boolean allowPrivate;

        VettingResolver(Resolver resolver, boolean allowPrivate) {
            this.resolver = resolver;
            this.allowPrivate = allowPrivate;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            InetAddress[] addresses = resolver.resolve(name);
            for (InetAddress a : addresses) {
                if (AddressPolicy.alwaysRefused(a) || (!allowPrivate && AddressPolicy.isPrivate(a))) {
                    // the resolved address is not echoed: it would map the private network for the caller
                    throw new NonPublicAddress(host);
                }
            }
            return addresses;
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }

    /** The host resolved to an address the policy refuses. */
    static final class NonPublicAddress extends UnknownHostException {
        NonPublicAddress(String host) {
            super(host);
        }
    }

    /** The body of {@code url}, or a 400 naming {@code param} that says why it was refused. */
    public byte[] fetch(String param, String url) {
        URI uri = parse(param, url);
        long deadline = System.nanoTime() + policy.readTimeout().toNanos();
        for (int hop = 0;; hop++) {
            check(param, uri);
            Fetch fetch = send(param, uri, deadline);
            int status = fetch.status();
            Optional<String> location = fetch.header("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                fetch.close();
                if (hop >= policy.maxRedirects()) {
                    throw refused(param, "more than " + policy.maxRedirects() + " redirects");
                }
                uri = parse(param, uri.resolve(location.get()).toString());
                continue;
            }
            if (status != 200) {
                fetch.close();
                throw refused(param, "the image URL answered HTTP " + status);
            }
            return read(param, fetch, deadline);
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
            throw refused(param, "the host " + ImagesApiException.excerpt(host) + " is not in the allowed list");
        }
    }

    private static boolean matches(String host, String allowed) {
        String a = allowed.trim().toLowerCase(Locale.ROOT);
        return a.startsWith(".") ? host.endsWith(a) : host.equals(a);
    }

    /**
     * One request, cut off at the deadline by aborting it under the reader (a stalled connect, answer or body).
     * The response is open: the caller reads or closes it.
     */
    private Fetch send(String param, URI uri, long deadline) {
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "image/png,image/jpeg,image/webp");
        CompletableFuture<Void> guard = CompletableFuture.runAsync(get::cancel,
                CompletableFuture.delayedExecutor(remaining(param, deadline), TimeUnit.NANOSECONDS));
        try {
            return new Fetch(http.executeOpen(null, get, null), guard);
        } catch (NonPublicAddress e) {
            guard.cancel(false);
            throw refused(param, "the host " + ImagesApiException.excerpt(e.getMessage())
                    + " resolves to a non-public address");
        } catch (UnknownHostException e) {
            guard.cancel(false);
            throw refused(param, "the host " + ImagesApiException.excerpt(uri.getHost()) + " does not resolve");
        } catch (IOException e) {
            guard.cancel(false);
            if (System.nanoTime() > deadline) {
                throw tooSlow(param);
            }
            throw refused(param, "the image URL could not be fetched (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** An open response and the guard that aborts it at the deadline. */
    private record Fetch(ClassicHttpResponse response, CompletableFuture<Void> guard) {
        int status() {
            return response.getCode();
        }

        Optional<String> header(String name) {
            Header h = response.getFirstHeader(name);
            return Optional.ofNullable(h).map(Header::getValue);
        }

        void close() {
            guard.cancel(false);
            try {
                response.close();
            } catch (IOException ignored) {
                // closing to give the connection back; nothing to report
            }
        }
    }

    private byte[] read(String param, Fetch fetch, long deadline) {
        long declared = fetch.header("Content-Length").map(Long::parseLong).orElse(-1L);
        if (declared > policy.maxBytes()) {
            fetch.close();
            throw tooLarge(param);
        }
        try (InputStream in = fetch.response().getEntity() == null ? InputStream.nullInputStream()
                : fetch.response().getEntity().getContent()) {
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
            fetch.close();
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

}
