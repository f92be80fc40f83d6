package io.imagefn.inputs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.images.ImagesApiException;
import io.imagefn.support.LoopbackOnlyNetwork;
import io.imagefn.support.TestImages;

/**
 * The remote image fetcher against a real HTTP server on loopback. Loopback is refused in production; these tests
 * allow private addresses (as an operator with an internal store would) to reach the server, and check every other
 * guard still holds.
 */
class RemoteImagesTest {

    private static WireMockServer server;

    @BeforeAll
    static void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
    }

    private static RemoteImages fetcher(boolean allowPrivate, Optional<List<String>> hosts, long maxBytes,
            Duration readTimeout) {
        return new RemoteImages(new RemoteImages.Policy(true, allowPrivate, hosts, 2, Duration.ofSeconds(2),
                readTimeout, maxBytes), new LoopbackOnlyNetwork());
    }

    private static RemoteImages internalStore() {
        return fetcher(true, Optional.empty(), 1_000_000, Duration.ofSeconds(5));
    }

    private static String url(String path) {
        return server.baseUrl() + path;
    }

    private static ImagesApiException refused(RemoteImages fetcher, String url) {
        ImagesApiException e = assertThrows(ImagesApiException.class, () -> fetcher.fetch("images[0]", url, null));
        assertEquals(400, e.status());
        assertEquals("images[0]", e.param());
        return e;
    }

    @Test
    void fetchesTheBytesWhenAllowed() {
        byte[] png = TestImages.png(10, 10, Color.RED);
        server.stubFor(get(urlEqualTo("/cat.png")).willReturn(aResponse().withBody(png)));
        assertArrayEquals(png, internalStore().fetch("images[0]", url("/cat.png"), null));
    }

    @Test
    void refusesLoopbackByDefault() {
        server.stubFor(get(urlEqualTo("/cat.png")).willReturn(aResponse().withBody(new byte[10])));
        ImagesApiException e = refused(fetcher(false, Optional.empty(), 1000, Duration.ofSeconds(5)), url("/cat.png"));
        assertTrue(e.getMessage().contains("non-public address"), e.getMessage());
        assertEquals(0, server.getAllServeEvents().size(), "refused before connecting");
    }

    @Test
    void refusesARedirectToTheMetadataServiceEvenWhenPrivateAddressesAreAllowed() {
        server.stubFor(get(urlEqualTo("/cat.png")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://169.254.169.254/latest/meta-data/iam/security-credentials/")));
        ImagesApiException e = refused(internalStore(), url("/cat.png"));
        assertTrue(e.getMessage().contains("169.254.169.254 resolves to a non-public address"), e.getMessage());
    }

    /** Lab mode opens private networks, never the platforms' own services (Alibaba, Azure, Oracle, Google Cloud). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "100.100.100.200", "168.63.129.16", "192.0.0.192",
            "[fd20:ce::254]" })
    void refusesARedirectToAnyPlatformServiceEvenWhenPrivateAddressesAreAllowed(String host) {
        server.stubFor(get(urlEqualTo("/cat.png")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://" + host + "/latest/meta-data/")));
        ImagesApiException e = refused(internalStore(), url("/cat.png"));
        assertTrue(e.getMessage().contains(host + " resolves to a non-public address"), e.getMessage());
    }

    @Test
    void doesNotTellTheCallerWhichInternalAddressAHostHas() {
        ImagesApiException e = refused(fetcher(false, Optional.empty(), 1000, Duration.ofSeconds(5)),
                "http://localhost:" + server.port() + "/cat.png");
        assertTrue(e.getMessage().contains("localhost resolves to a non-public address"), e.getMessage());
        assertTrue(!e.getMessage().contains("127.0.0.1") && !e.getMessage().contains("0:0:0:0"), e.getMessage());
    }

    @Test
    void followsAFewRedirectsButNotEndlessly() {
        byte[] png = TestImages.png(4, 4, Color.RED);
        server.stubFor(get(urlEqualTo("/a")).willReturn(aResponse().withStatus(301).withHeader("Location", "/b")));
        server.stubFor(get(urlEqualTo("/b")).willReturn(aResponse().withStatus(302).withHeader("Location", "/c")));
        server.stubFor(get(urlEqualTo("/c")).willReturn(aResponse().withBody(png)));
        assertArrayEquals(png, internalStore().fetch("images[0]", url("/a"), null));

        server.stubFor(get(urlEqualTo("/loop")).willReturn(aResponse().withStatus(302).withHeader("Location", "/loop")));
        assertTrue(refused(internalStore(), url("/loop")).getMessage().contains("redirects"));
    }

    @Test
    void capsTheBodyWhileStreamingWithoutAContentLength() {
        server.stubFor(get(urlEqualTo("/big")).willReturn(aResponse().withBody(new byte[5000])
                .withChunkedDribbleDelay(5, 50)));
        ImagesApiException e = refused(fetcher(true, Optional.empty(), 1000, Duration.ofSeconds(5)), url("/big"));
        assertEquals("image_too_large", e.code());
    }

    @Test
    void refusesADeclaredLengthOverTheCapWithoutReadingIt() {
        server.stubFor(get(urlEqualTo("/big")).willReturn(aResponse().withBody(new byte[5000])));
        assertEquals("image_too_large",
                refused(fetcher(true, Optional.empty(), 1000, Duration.ofSeconds(5)), url("/big")).code());
    }

    /**
     * The body trickles over a minute; the 800 ms deadline cuts the download short. The bound is a liveness guard (a
     * download that ran its course would take the minute), not a measurement.
     */
    @Test
    void givesUpOnABodyThatStallsMidway() {
        server.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withBody(new byte[4000])
                .withChunkedDribbleDelay(20, 60_000)));
        ImagesApiException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> refused(fetcher(true, Optional.empty(), 1_000_000, Duration.ofMillis(800)), url("/slow")));
        assertTrue(e.getMessage().contains("did not deliver the image within 800ms"), e.getMessage());
    }

    @Test
    void fetchesOnlyFromAllowedHostsWhenAListIsSet() {
        ImagesApiException e = refused(fetcher(true, Optional.of(List.of(".images.example.com")), 1000,
                Duration.ofSeconds(5)), url("/cat.png"));
        assertTrue(e.getMessage().contains("allowed list"), e.getMessage());
    }

    @Test
    void answersAnHttpErrorAsARefusal() {
        server.stubFor(get(urlEqualTo("/gone")).willReturn(aResponse().withStatus(404)));
        assertTrue(refused(internalStore(), url("/gone")).getMessage().contains("HTTP 404"));
    }

    /** The resolver is the guard: a name answering with a transition address is refused, nothing is connected to. */
    @ParameterizedTest
    @ValueSource(strings = { "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::127.0.0.1",
            "::ffff:0:7f00:1" })
    void aNameResolvingToATransitionAddressIsRefusedBeforeAnyConnection(String address) {
        RemoteImages.VettingResolver vetting = new RemoteImages.VettingResolver(new LoopbackOnlyNetwork() {
            @Override
            public InetAddress[] lookup(String host) throws java.net.UnknownHostException {
                return new InetAddress[] { InetAddress.getByName(address) };
            }
        }, false);
        assertThrows(RemoteImages.NonPublicAddress.class, () -> vetting.resolve("images.attacker.test"));
    }

    /**
     * DNS rebinding: the name answers a vetted address first and another address on any later lookup. The fetch
     * looks the name up once and connects to the vetted address (a server on 127.0.0.1); the other one (a server
     * on 127.0.0.2, standing for an internal service) is never reached. Both stay on loopback.
     */
    @Test
    void connectsToTheAddressThatWasVettedNotToASecondLookup() throws Exception {
        WireMockServer internal = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.2"));
        internal.start();
        WireMockServer vetted = new WireMockServer(wireMockConfig().port(internal.port()).bindAddress("127.0.0.1"));
        vetted.start();
        try {
            byte[] png = TestImages.png(4, 4, Color.GREEN);
            vetted.stubFor(get(urlEqualTo("/cat.png")).willReturn(aResponse().withBody(png)));
            internal.stubFor(get(urlEqualTo("/cat.png")).willReturn(aResponse().withBody(new byte[] { 1, 2, 3 })));
            java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
            RemoteImages fetcher = new RemoteImages(new RemoteImages.Policy(true, true, Optional.empty(), 2,
                    Duration.ofSeconds(2), Duration.ofSeconds(5), 1_000_000), new LoopbackOnlyNetwork() {
                        @Override
                        public InetAddress[] lookup(String host) throws java.net.UnknownHostException {
                            return new InetAddress[] { InetAddress.getByName(
                                    lookups.getAndIncrement() == 0 ? "127.0.0.1" : "127.0.0.2") };
                        }
                    });

            byte[] fetched = fetcher.fetch("images[0]", "http://rebinding.test:" + internal.port() + "/cat.png", null);

            assertArrayEquals(png, fetched);
            assertEquals(1, lookups.get(), "one lookup: the one that was vetted");
            assertEquals(0, internal.getAllServeEvents().size(), "the rebound address was never reached");
        } finally {
            vetted.stop();
            internal.stop();
        }
    }
}
