package io.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.imagefn.config.ImagefnConfig;

/** IMAGEFN_URL_TTL is a signed URL's lifetime: at most 7 days, SigV4's limit, and more than nothing. */
class UrlLifetimeTest {

    private static ImagefnConfig ttl(Duration ttl) {
        return (ImagefnConfig) Proxy.newProxyInstance(ImagefnConfig.class.getClassLoader(),
                new Class<?>[] { ImagefnConfig.class }, (proxy, method, args) -> method.getName().equals("urlTtl")
                        ? ttl : null);
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT168H0M0.001S", "P8D", "PT0S", "PT-1S" })
    void aLifetimeSigV4CannotSignIsRefusedAtStartup(String lifetime) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageStore(ttl(Duration.parse(lifetime)), null, null));
        assertTrue(e.getMessage().contains("imagefn.url-ttl must be between 1s and 7d"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT1S", "PT2H", "P7D" })
    void aLifetimeWithinTheLimitIsTaken(String lifetime) {
        assertDoesNotThrow(() -> new ImageStore(ttl(Duration.parse(lifetime)), null, null));
    }
}
