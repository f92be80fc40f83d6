package io.imagefn.upstream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Wire body of {@code POST /images/generations}: the caller's fields, with the model made explicit. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
record GenerationsBody(
        String prompt,
        String model,
        Integer n,
        String quality,
        @JsonProperty("response_format") String responseFormat,
        @JsonProperty("output_format") String outputFormat,
        @JsonProperty("output_compression") Integer outputCompression,
        String size,
        String moderation,
        String background,
        String style,
        String user,
        Boolean stream,
        @JsonProperty("partial_images") Integer partialImages) {
}
