package io.imagefn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The mapper every body is read with bounds what a body can cost: a document of many small tokens (millions of keys
 * ran a 1 GB heap out of memory) and long numbers (each parsed in time quadratic in its length) are refused while
 * they are read; a real request reads as before.
 */
class JsonReadingTest {

    private static ObjectMapper mapper() {
        ObjectMapper json = new ObjectMapper();
        new JsonReading().customize(json);
        return json;
    }

    @Test
    void aDocumentOfMoreTokensThanAnyRequestIsRefusedWhileItIsRead() {
        String manyKeys = IntStream.range(0, 60_000).mapToObj(i -> "\"k" + i + "\":1")
                .collect(Collectors.joining(",", "{", "}"));
        StreamConstraintsException e = assertThrows(StreamConstraintsException.class,
                () -> mapper().readValue(manyKeys, Map.class));
        assertTrue(e.getMessage().contains("Token count"), e.getMessage());
    }

    @Test
    void aNumberLongerThanAnyValueIsRefusedWhileItIsRead() {
        StreamConstraintsException e = assertThrows(StreamConstraintsException.class,
                () -> mapper().readValue("{\"n\":" + "9".repeat(101) + "}", Map.class));
        assertTrue(e.getMessage().contains("Number value length"), e.getMessage());
    }

    @Test
    void aRealRequestReadsAsBefore() throws Exception {
        Map<?, ?> body = mapper().readValue("{\"prompt\":\"" + "a".repeat(100_000) + "\",\"n\":2,\"images\":["
                + "{\"image_url\":\"data:image/png;base64,AAAA\"}],\"quality\":\"high\"}", Map.class);
        assertEquals(2, body.get("n"));
    }
}
