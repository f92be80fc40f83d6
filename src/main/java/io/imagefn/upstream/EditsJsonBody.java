package io.imagefn.upstream;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Wire body of {@code POST /images/edits} as JSON (OpenAI's {@code EditImageBodyJsonParam}): the form an edit takes
 * upstream when it carries a field only that form has ({@code moderation}). The images go as data URLs; the form has no
 * {@code response_format} (GPT image models answer in base64 anyway).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
record EditsJsonBody(
        List<ImageUrl> images,
        ImageUrl mask,
        String prompt,
        String model,
        Integer n,
        String size,
        String quality,
        @JsonProperty("input_fidelity") String inputFidelity,
        @JsonProperty("output_format") String outputFormat,
        @JsonProperty("output_compression") Integer outputCompression,
        String background,
        String moderation,
        String user,
        Boolean stream,
        @JsonProperty("partial_images") Integer partialImages) {

    /** An image reference of the JSON form ({@code ImageRefParam}). */
    @RegisterForReflection
    record ImageUrl(@JsonProperty("image_url") String imageUrl) {
    }
}
