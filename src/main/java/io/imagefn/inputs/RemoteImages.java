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

import io.imagefn.images.ImageBytes;
import io.imagefn.images.ImagesApiException;
import io.imagefn.memory.MemoryBudget;

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

    private final Policy policy;
    private final CloseableHttpClient http;

    /** @param network the name lookup and the last look before connecting (loopback-only in the tests) */
    public RemoteImages(Policy policy, NetworkAccess network) {
        this.policy = policy;
        Timeout connect = Timeout.of(policy.connectTimeout());
        this.http = vettedClient(network, policy.allowPrivateAddresses(), connect, Timeout.of(policy.readTimeout()),
                RequestConfig.custom(), 64, 8);
    }

    /**
     * An HTTP client that connects only to addresses its resolver vetted ({@link VettingResolver}, so a name cannot
     * be re-pointed between the check and the connection), follows no redirect (each hop is the caller's to judge),
     * and neither retries nor keeps cookies or credentials: the input-URL fetcher's and the webhooks'.
     */
    public static CloseableHttpClient vettedClient(NetworkAccess network, boolean allowPrivate, Timeout connect,
            Timeout socket, RequestConfig.Builder request, int maxTotal, int maxPerRoute) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new VettingResolver(network, allowPrivate))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connect)
                                .setSocketTimeout(socket).build())
                        .setMaxConnTotal(maxTotal).setMaxConnPerRoute(maxPerRoute)
                        .build())
                .setDefaultRequestConfig(request.setRedirectsEnabled(false).build())
                .disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .useSystemProperties() // the JVM's trust store and proxy settings, as the JDK client had
                .build();
    }

    /**
     * Resolves a host and vets every address it resolves to; the connection then goes to one of exactly these.
     * A refusal carries its reason, which the fetch turns into the caller's 400.
     */
    public static final class VettingResolver implements DnsResolver {
        private final NetworkAccess network;
        private final boolean allowPrivate;

        public VettingResolver(NetworkAccess network, boolean allowPrivate) {
            this.network = network;
            this.allowPrivate = allowPrivate;
        }

        /** The addresses a connection to {@code host} goes to: vetted, then handed to the last look before connecting. */
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            InetAddress[] addresses = vet(host);
            network.connecting(bare(host), addresses);
            return addresses;
        }

        /**
         * Looks {@code host} up and vets every address it resolves to, connecting to none (a check ahead of use, such
         * as a webhook's at submission).
         *
         * @throws NonPublicAddress when an address is one the policy refuses
         */
        public InetAddress[] vet(String host) throws UnknownHostException {
            InetAddress[] addresses = network.lookup(bare(host));
            for (InetAddress a : addresses) {
                if (AddressPolicy.alwaysRefused(a) || (!allowPrivate && AddressPolicy.isPrivate(a))) {
                    // the resolved address is not echoed: it would map the private network for the caller
                    throw new NonPublicAddress(host);
                }
            }
            return addresses;
        }

        private static String bare(String host) {
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }

    /** The host resolved to an address the policy refuses. */
    public static final class NonPublicAddress extends UnknownHostException {
        NonPublicAddress(String host) {
            super(host);
        }
    }

    /**
     * Why a URL was not fetched: {@code code} is the caller-facing error code ({@code invalid_image_url},
     * {@code image_too_large}); {@code passing} marks a failure worth trying again (the server's 5xx, a broken
     * connection), as against a refusal.
     */
    public static final class Refused extends RuntimeException {
        private final String code;
        private final boolean passing;

        Refused(String why, String code, boolean passing) {
            super(why, null, false, false);
            this.code = code;
            this.passing = passing;
        }

        public String code() {
            return code;
        }

        public boolean passing() {
            return passing;
        }
    }

    /**
     * The body of a caller's {@code url}, or a 400 naming {@code param} that says why it was refused. Its bytes are
     * reserved from {@code lease} as they arrive (503 {@code server_busy} when the budget is full).
     */
    public byte[] fetch(String param, String url, MemoryBudget.Lease lease) {
        try {
            return get(url, lease).toByteArray();
        } catch (Refused e) {
            throw ImagesApiException.invalid(param, e.code(), "Invalid '" + param + "': " + e.getMessage() + ".");
        }
    }

    /**
     * The body of {@code url} under the policy, or {@link Refused}.
     *
     * @param lease where its bytes are reserved as they arrive; null for bytes that must not be refused for memory
     *              (images already paid for)
     */
    public ImageBytes get(String url, MemoryBudget.Lease lease) {
        URI uri = parse(url);
        long deadline = System.nanoTime() + policy.readTimeout().toNanos();
        for (int hop = 0;; hop++) {
            check(uri);
            Fetch fetch = send(uri, deadline);
            int status = fetch.status();
            Optional<String> location = fetch.header("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                fetch.close();
                if (hop >= policy.maxRedirects()) {
                    throw refused("more than " + policy.maxRedirects() + " redirects");
                }
                uri = parse(uri.resolve(location.get()).toString());
                continue;
            }
            if (status != 200) {
                fetch.close();
                throw new Refused("the image URL answered HTTP " + status, INVALID, status >= 500);
            }
            return read(fetch, deadline, lease);
        }
    }

    private static final String INVALID = "invalid_image_url";

    private URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                throw refused("the URL has no host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw refused("not a valid URL");
        }
    }

    private void check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && policy.allowHttp())) {
            throw refused("only " + (policy.allowHttp() ? "http and https" : "https") + " URLs are fetched, not "
                    + (scheme.isEmpty() ? "this one" : scheme));
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (policy.allowedHosts().isPresent() && policy.allowedHosts().get().stream().noneMatch(h -> matches(host, h))) {
            throw refused("the host " + ImagesApiException.excerpt(host) + " is not in the allowed list");
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
    private Fetch send(URI uri, long deadline) {
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "image/png,image/jpeg,image/webp");
        CompletableFuture<Void> guard = CompletableFuture.runAsync(get::cancel,
                CompletableFuture.delayedExecutor(remaining(deadline), TimeUnit.NANOSECONDS));
        try {
            return new Fetch(http.executeOpen(null, get, null), guard);
        } catch (NonPublicAddress e) {
            guard.cancel(false);
            throw refused("the host " + ImagesApiException.excerpt(e.getMessage())
                    + " resolves to a non-public address");
        } catch (UnknownHostException e) {
            guard.cancel(false);
            throw refused("the host " + ImagesApiException.excerpt(uri.getHost()) + " does not resolve");
        } catch (IOException e) {
            guard.cancel(false);
            if (System.nanoTime() > deadline) {
                throw tooSlow();
            }
            throw new Refused("the image URL could not be fetched (" + e.getClass().getSimpleName() + ")", INVALID,
                    true);
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

    /** Bytes reserved ahead while a body of unknown length arrives. */
    private static final long RESERVE_STEP = 256 * 1024;

    /** The body, its bytes reserved from {@code lease} before they are read (the declared length at once). */
    private ImageBytes read(Fetch fetch, long deadline, MemoryBudget.Lease lease) {
        long declared;
        try {
            declared = fetch.header("Content-Length").map(Long::parseLong).orElse(-1L);
        } catch (NumberFormatException e) {
            fetch.close();
            throw refused("the image URL sent a malformed Content-Length");
        }
        if (declared > policy.maxBytes()) {
            fetch.close();
            throw tooLarge();
        }
        long reserved = 0;
        try (InputStream in = fetch.response().getEntity() == null ? InputStream.nullInputStream()
                : fetch.response().getEntity().getContent()) {
            if (lease != null && declared >= 0) {
                lease.reserve(declared);
                reserved = declared;
            }
            ImageBytes bytes = ImageBytes.capped(policy.maxBytes());
            byte[] chunk = new byte[64 * 1024];
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                long total = bytes.size() + (long) n;
                if (lease != null && total > reserved) {
                    long more = Math.max(RESERVE_STEP, total - reserved);
                    lease.reserve(more);
                    reserved += more;
                }
                bytes.write(chunk, 0, n);
            }
            if (System.nanoTime() > deadline) {
                throw tooSlow();
            }
            if (lease != null && reserved > bytes.size()) {
                lease.giveBack(reserved - bytes.size());
            }
            return bytes;
        } catch (ImageBytes.TooLarge e) {
            throw tooLarge();
        } catch (IOException e) {
            if (System.nanoTime() > deadline) {
                throw tooSlow();
            }
            throw new Refused("the download failed (" + e.getClass().getSimpleName() + ")", INVALID, true);
        } finally {
            fetch.close();
        }
    }

    private long remaining(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw tooSlow();
        }
        return left;
    }

    private Refused tooSlow() {
        long ms = policy.readTimeout().toMillis();
        return refused("the image URL did not deliver the image within "
                + (ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms"));
    }

    private Refused tooLarge() {
        return new Refused("the image at the URL is larger than " + policy.maxBytes() + " bytes", "image_too_large",
                false);
    }

    private static Refused refused(String why) {
        return new Refused(why, INVALID, false);
    }
}
