package io.imagefn.images;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** OpenAI's {@code ErrorResponse}: all four inner keys are always present, {@code param} and {@code code} may be null. */
@RegisterForReflection
public record ErrorBody(Error error) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, String type, String param, String code) {
    }
}
