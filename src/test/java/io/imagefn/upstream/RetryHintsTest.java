package io.imagefn.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retry hints as the official SDKs read them (openai-python {@code _base_client.py}): {@code retry-after-ms}
 * first, then {@code Retry-After} as seconds or an HTTP date; {@code x-should-retry} wins; 408, 409, 429 and 5xx and
 * broken connections are retried, other 4xx and an exhausted quota are not, nor a wait longer than allowed.
 */
class RetryHintsTest {

    private static final Duration MAX = Duration.ofSeconds(20);

    @ParameterizedTest
    @CsvSource({ "1500,,1500", "0,,0", "-5,,0", "2.6,,3", ",3,3000", ",0.5,500", "250,7,250", ",1.25,1250" })
    void readsMillisecondsThenSeconds(String millis, String seconds, long expectedMillis) {
        assertEquals(Duration.ofMillis(expectedMillis), UpstreamException.parseRetryAfter(millis, seconds));
    }

    @Test
    void readsAnHttpDate() {
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)
                .plusSeconds(10));
        Duration d = UpstreamException.parseRetryAfter(null, inTenSeconds);
        assertTrue(d.toSeconds() >= 8 && d.toSeconds() <= 10, d.toString());
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
        assertEquals(Duration.ZERO, UpstreamException.parseRetryAfter(null, past));
    }

    @ParameterizedTest
    @ValueSource(strings = { "soon", "1e3", "-1", "" })
    void aMalformedHintIsNoHint(String header) {
        assertNull(UpstreamException.parseRetryAfter(null, header));
        assertNull(UpstreamException.parseRetryAfter("soon", null));
        assertNull(UpstreamException.parseRetryAfter(null, null));
    }

    private static UpstreamException failure(int status, String code, Duration retryAfter, Boolean shouldRetry) {
        return new UpstreamException(status, new UpstreamException.UpstreamError("m", null, null, code), "req",
                retryAfter, shouldRetry, null);
    }

    @ParameterizedTest
    @CsvSource({ "0,true", "408,true", "409,true", "429,true", "500,true", "502,true", "503,true", "599,true",
            "400,false", "401,false", "403,false", "404,false", "413,false", "422,false" })
    void retriesWhatTheSdksRetry(int status, boolean retried) {
        assertEquals(retried, failure(status, null, null, null).retryable(MAX), "status " + status);
    }

    @Test
    void anExhaustedQuotaIsNotRetried() {
        assertFalse(failure(429, "insufficient_quota", null, null).retryable(MAX));
        assertFalse(new UpstreamException(429, new UpstreamException.UpstreamError("m", "insufficient_quota", null,
                null), null, null, null, null).retryable(MAX));
    }

    @Test
    void theUpstreamsShouldRetryHeaderWins() {
        assertFalse(failure(503, null, null, Boolean.FALSE).retryable(MAX));
        assertTrue(failure(400, null, null, Boolean.TRUE).retryable(MAX));
    }

    @Test
    void aWaitLongerThanAllowedEndsTheRetries() {
        assertFalse(failure(429, null, MAX.plusMillis(1), null).retryable(MAX));
        assertTrue(failure(429, null, MAX, null).retryable(MAX));
    }

    @Test
    void anErrorBodyIsReadOrNamedByItsStatus() {
        UpstreamException.UpstreamError e = UpstreamException.parseError(
                "{\"error\":{\"message\":\"m\",\"type\":\"t\",\"param\":\"p\",\"code\":\"c\"}}", 400);
        assertEquals(new UpstreamException.UpstreamError("m", "t", "p", "c"), e);
        assertEquals(new UpstreamException.UpstreamError("HTTP 502", null, null, null),
                UpstreamException.parseError("<html>bad gateway</html>", 502));
        assertNull(UpstreamException.parseError("{\"error\":{\"message\":\"m\",\"code\":\"429\"}}", 429).code(),
                "Azure's numeric codes say nothing more than the status");
    }
}
