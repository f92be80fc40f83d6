package io.imagefn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The Prefer header as RFC 7240 writes it (section 2 and 4.1, 4.3): what makes a job, and how long to wait. */
class PreferencesTest {

    @Test
    void respondAsyncAndWaitAreReadFromOneOrSeveralHeadersInAnyCase() {
        assertEquals(new Preferences(true, Optional.empty()), Preferences.of(List.of("respond-async")));
        assertEquals(new Preferences(true, Optional.of(Duration.ofSeconds(10))),
                Preferences.of(List.of("Respond-Async, WAIT=10")));
        assertEquals(new Preferences(true, Optional.of(Duration.ofSeconds(5))),
                Preferences.of(List.of("return=minimal", "wait=\"5\"", "respond-async")));
        assertEquals("respond-async, wait=5", Preferences.applied(Optional.of(Duration.ofSeconds(5))));
        assertEquals("respond-async", Preferences.applied(Optional.empty()));
    }

    @Test
    void aParameterOfAnotherPreferenceOrAMalformedWaitIsNotAWait() {
        // "; wait=5" is a parameter of respond-async, not the wait preference (RFC 7240 section 2)
        assertEquals(Optional.empty(), Preferences.of(List.of("respond-async; wait=5")).await());
        assertTrue(Preferences.of(List.of("respond-async; wait=5")).respondAsync());
        assertEquals(Optional.empty(), Preferences.of(List.of("respond-async, wait=-1")).await());
        assertEquals(Optional.empty(), Preferences.of(List.of("respond-async, wait=1e3")).await());
    }

    /**
     * wait is delta-seconds (RFC 7240 section 4.3, RFC 7234 section 1.2.1): a value too large to represent is taken
     * as the greatest one, never dropped, so it is capped as any long wait is.
     */
    @Test
    void aWaitOfAnySizeIsTakenAndOneTooLargeIsTheLargest() {
        assertEquals(Optional.of(Duration.ofSeconds(12_345_678_901L)),
                Preferences.of(List.of("respond-async, wait=12345678901")).await());
        assertEquals(Optional.of(Duration.ofSeconds(Long.MAX_VALUE)),
                Preferences.of(List.of("respond-async, wait=12345678901234567890123")).await());
        assertEquals(Optional.of(Duration.ofSeconds(7)),
                Preferences.of(List.of("respond-async, wait=000000000000000000000007")).await());
    }

    @Test
    void withoutRespondAsyncNothingIsAJob() {
        assertFalse(Preferences.of(null).respondAsync());
        assertFalse(Preferences.of(List.of()).respondAsync());
        assertFalse(Preferences.of(List.of("wait=10, return=representation")).respondAsync());
        assertFalse(Preferences.of(List.of("respond-asynchronously")).respondAsync());
    }
}
