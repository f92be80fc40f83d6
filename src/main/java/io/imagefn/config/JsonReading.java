package io.imagefn.config;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * How request bodies are read.
 * <ul>
 * <li>Strict: a duplicate key, or anything after the JSON value, is refused (400) rather than read one way here
 * (the last key wins, the rest is ignored) while a gateway in front may read it another.</li>
 * <li>Long strings: Jackson refuses strings over 20,000,000 characters by default, below the Images API's
 * 20,971,520-character {@code image_url} (a base64 data URL), which then failed as malformed JSON. Strings may now
 * be as long as a body may be (the HTTP limit, 64 MB, bounds them first); the data URL's own limit is checked with its
 * own message.</li>
 * <li>Bounded cost per body: a document of at most {@value #MAX_TOKENS} tokens (a request needs a few dozen; three
 * million keys in a 38 MB object ran a 1 GB heap out of memory), numbers of at most {@value #MAX_NUMBER_DIGITS}
 * digits (no valid value comes close; thousands of 999-digit numbers took seconds to parse) and Jackson's default
 * nesting depth (1000).</li>
 * </ul>
 */
@Singleton
public class JsonReading implements ObjectMapperCustomizer {

    /** As {@code quarkus.http.limits.max-body-size}: no string in a body can be longer than the body. */
    static final int MAX_STRING_CHARS = 64 * 1024 * 1024;
    /** Far above any request, upstream answer, stream event, idempotency record or price table. */
    static final long MAX_TOKENS = 100_000;
    static final int MAX_NUMBER_DIGITS = 100;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(MAX_STRING_CHARS).maxTokenCount(MAX_TOKENS).maxNumberLength(MAX_NUMBER_DIGITS)
                .build());
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
