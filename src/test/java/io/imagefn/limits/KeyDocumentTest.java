package io.imagefn.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The keys document as the limits page describes it: every limit read, strictly (a misspelt limit would be no limit),
 * and every error naming the entry and the field but never a key's digest.
 */
class KeyDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "a".repeat(64);
    private static final String OTHER = "b".repeat(64);

    private static KeyDocument parse(String document) {
        return KeyDocument.parse(document.getBytes(StandardCharsets.UTF_8), JSON, Set.of("gpt-image-1", "dall-e-3")
                ::contains);
    }

    @Test
    void everyLimitIsRead() {
        KeyDocument d = parse("{\"keys\":[{\"name\":\"mobile-app\",\"sha256\":\"" + DIGEST.toUpperCase() + "\","
                + "\"models\":[\"gpt-image-1\"],\"budget\":{\"usd\":25.5,\"period\":\"month\"},"
                + "\"requests_per_minute\":30,\"images_per_minute\":20,\"max_concurrent_requests\":4,"
                + "\"max_queued_jobs\":8}],\"unauthenticated\":{\"budget\":{\"usd\":5,\"period\":\"grant\"}}}");
        KeyLimits k = d.keys().get(0);
        assertEquals("mobile-app", k.name());
        assertEquals(DIGEST, k.sha256(), "digests are kept in lower case");
        assertEquals(Set.of("gpt-image-1"), k.models());
        assertEquals(new BigDecimal("25.5"), k.budget().orElseThrow().usd());
        assertEquals(KeyLimits.Period.MONTH, k.budget().orElseThrow().period());
        assertEquals(30, k.requestsPerMinute().getAsInt());
        assertEquals(20, k.imagesPerMinute().getAsInt());
        assertEquals(4, k.maxConcurrent().getAsInt());
        assertEquals(8, k.maxQueuedJobs().getAsInt());
        assertTrue(k.allows("gpt-image-1"));
        assertFalse(k.allows("dall-e-3"));
        KeyLimits anonymous = d.unauthenticated().orElseThrow();
        assertEquals(KeyLimits.UNAUTHENTICATED, anonymous.name());
        assertTrue(anonymous.counted());
        assertTrue(anonymous.allows("dall-e-3"), "no models listed: any");
    }

    static java.util.stream.Stream<Arguments> badEntries() {
        String d = DIGEST;
        return java.util.stream.Stream.of(
                Arguments.of("a misspelt limit", "{\"name\":\"app\",\"sha256\":\"" + d
                        + "\",\"requests_per_min\":3}", "entry 1 ('app'): unknown field 'requests_per_min'"),
                Arguments.of("a digest that is not one", "{\"name\":\"app\",\"sha256\":\"abc\"}",
                        "entry 1 ('app'): field 'sha256'"),
                Arguments.of("no name", "{\"sha256\":\"" + d + "\"}", "entry 1: field 'name' is missing"),
                Arguments.of("a budget without a period", "{\"name\":\"app\",\"sha256\":\"" + d
                        + "\",\"budget\":{\"usd\":5}}", "field 'budget.period'"),
                Arguments.of("a negative budget", "{\"name\":\"app\",\"sha256\":\"" + d
                        + "\",\"budget\":{\"usd\":-5,\"period\":\"day\"}}", "field 'budget.usd'"),
                Arguments.of("a zero rate", "{\"name\":\"app\",\"sha256\":\"" + d
                        + "\",\"images_per_minute\":0}", "field 'images_per_minute'"),
                Arguments.of("a fractional rate", "{\"name\":\"app\",\"sha256\":\"" + d
                        + "\",\"requests_per_minute\":1.5}", "field 'requests_per_minute'"),
                Arguments.of("an unknown model", "{\"name\":\"app\",\"sha256\":\"" + d
                        + "\",\"models\":[\"gpt-9\"]}", "field 'models': 'gpt-9'"),
                Arguments.of("the reserved name", "{\"name\":\"unauthenticated\",\"sha256\":\"" + d + "\"}",
                        "field 'name': 'unauthenticated' is reserved"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEntries")
    void aBadEntryIsRefusedNamingItsEntryAndFieldButNeverTheDigest(String what, String entry, String expected) {
        String document = "{\"keys\":[" + entry + "]}";
        KeyDocument.Invalid e = assertThrows(KeyDocument.Invalid.class, () -> parse(document), what);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains(DIGEST), "a digest was echoed: " + e.getMessage());
    }

    @Test
    void twoEntriesForOneKeyOrOneNameAreRefused() {
        String one = "{\"name\":\"app\",\"sha256\":\"" + DIGEST + "\"}";
        assertTrue(assertThrows(KeyDocument.Invalid.class, () -> parse("{\"keys\":[" + one + ",{\"name\":\"app\","
                + "\"sha256\":\"" + OTHER + "\"}]}")).getMessage().contains("entry 2 ('app'): field 'name'"));
        assertTrue(assertThrows(KeyDocument.Invalid.class, () -> parse("{\"keys\":[" + one + ",{\"name\":\"other\","
                + "\"sha256\":\"" + DIGEST + "\"}]}")).getMessage().contains("entry 2 ('other'): field 'sha256'"));
    }

    @Test
    void aDocumentThatIsNotJsonIsRefusedWithoutQuotingIt() {
        KeyDocument.Invalid e = assertThrows(KeyDocument.Invalid.class, () -> parse("{\"keys\":[{\"name\":\"app\","
                + "\"sha256\":\"" + DIGEST + "\""));
        assertTrue(e.getMessage().startsWith("the keys document is not JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(DIGEST), e.getMessage());
    }

    /** Periods run on UTC: a day ends at the next midnight, a month on the first of the next, a grant never. */
    @Test
    void aPeriodIsNamedAndEndsOnUtcCalendarBoundaries() {
        Instant at = Instant.parse("2026-12-31T23:59:59Z");
        assertEquals("2026-12-31", KeyLimits.Period.DAY.at(at));
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), KeyLimits.Period.DAY.endsAfter(at).orElseThrow());
        assertEquals("2026-12", KeyLimits.Period.MONTH.at(at));
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), KeyLimits.Period.MONTH.endsAfter(at).orElseThrow());
        assertEquals("grant", KeyLimits.Period.GRANT.at(at));
        assertTrue(KeyLimits.Period.GRANT.endsAfter(at).isEmpty());
    }
}
