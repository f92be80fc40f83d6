package io.imagefn.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What leaves in a log line or a passed-on message: no secret, no signature, one line, bounded. */
class RedactionTest {

    @Test
    void aSignedUrlIsLoggedWithoutItsQuery() {
        String line = Redaction.forLog("stored img_1 (http://127.0.0.1:9000/b/images/img_1.png?X-Amz-Algorithm=A"
                + "&X-Amz-Signature=0123abcd) and https://cdn.example/x.png?sig=zz");
        assertFalse(line.contains("X-Amz-Signature") || line.contains("0123abcd") || line.contains("sig=zz"), line);
        assertTrue(line.contains("http://127.0.0.1:9000/b/images/img_1.png?…"), line);
        assertTrue(line.contains("https://cdn.example/x.png?…"), line);
    }

    @Test
    void aConfiguredSecretAndAnyBearerOrSkTokenAreRemoved() {
        Redaction.secret("my-upstream-key-123456");
        String text = "key my-upstream-key-123456, header Authorization: Bearer abc.def-ghi, and sk-proj-ABCDEFGH12";
        for (String out : new String[] { Redaction.forLog(text), Redaction.passedOn(text) }) {
            assertFalse(out.contains("my-upstream-key-123456") || out.contains("abc.def-ghi")
                    || out.contains("sk-proj-ABCDEFGH12"), out);
            assertTrue(out.startsWith("key [redacted], header Authorization: [redacted], and [redacted]"), out);
        }
    }

    @Test
    void shortSecretsAreNotRegistered() {
        Redaction.secret("short");
        assertEquals("a short word", Redaction.passedOn("a short word"));
    }

    @Test
    void controlCharactersAreEscapedOnOneLine() {
        assertEquals("a\\nb\\rc\\td\\u0007e\\u2028f", Redaction.passedOn("a\nb\rc\td\u0007e\u2028f"));
    }

    @Test
    void longTextIsCut() {
        String out = Redaction.passedOn("x".repeat(5000));
        assertEquals(1001, out.length());
        assertTrue(out.endsWith("…"));
        assertEquals(2001, Redaction.forLog("y".repeat(5000)).length());
        assertEquals("z".repeat(1000), Redaction.passedOn("z".repeat(1000)), "up to the bound, unchanged");
    }

    @Test
    void nothingIsNothing() {
        assertEquals(null, Redaction.forLog(null));
        assertEquals(null, Redaction.passedOn(null));
    }
}
