package io.imagefn.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An idempotency record is named by caller, function and key together: no two callers or functions share one. */
class RecordNamesTest {

    @Test
    void theNameDependsOnCallerFunctionAndKey() {
        String name = Idempotency.recordName("key-1", "key:aaaa", "generate");
        assertEquals(name, Idempotency.recordName("key-1", "key:aaaa", "generate"), "stable");
        assertTrue(name.matches("idem_[0-9a-f]{64}"), name);
        assertNotEquals(name, Idempotency.recordName("key-1", "key:bbbb", "generate"), "another caller");
        assertNotEquals(name, Idempotency.recordName("key-1", "key:aaaa", "edit"), "another function");
        assertNotEquals(name, Idempotency.recordName("key-2", "key:aaaa", "generate"), "another key");
        // the parts cannot run into each other
        assertNotEquals(Idempotency.recordName("b\nc", "a", "x"), Idempotency.recordName("c", "a\nb", "x"));
    }
}
