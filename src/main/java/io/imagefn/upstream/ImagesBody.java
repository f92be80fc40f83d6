package io.imagefn.upstream;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.images.Usage;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Wire form of the upstream's {@code ImagesResponse}; unknown fields are ignored, as upstreams add them. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
record ImagesBody(
        Long created,
        List<Item> data,
        String background,
        @JsonProperty("output_format") String outputFormat,
        String quality,
        String size,
        Usage usage) {

    /** {@code b64_json} is decoded by Jackson while it parses: no multi-megabyte String, no second pass. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Item(@JsonProperty("b64_json") byte[] b64Json, String url,
            @JsonProperty("revised_prompt") String revisedPrompt) {
    }
}
