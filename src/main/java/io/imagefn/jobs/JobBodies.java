package io.imagefn.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.imagefn.images.ImageRequest;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The request a job runs, kept in its record: the validated request written back as the JSON body it was read from
 * (its fields in snake_case, unset ones left out), so that every field a request type reads reaches its job without
 * a line here. What reading the request added (the idempotency key, the fingerprint, the problems, the image count)
 * stays out, and so do the input images, which the job names by the {@code file_id}s they were staged under.
 */
final class JobBodies {

    /** Reading's own fields and the images: never part of the body. (Registered: a native image reads it too.) */
    @RegisterForReflection
    @JsonIgnoreProperties({ "idempotency_key", "fingerprint", "problems", "image_count", "images", "mask", "image" })
    private interface Written {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .addMixIn(ImageRequest.class, Written.class)
            .build();

    private JobBodies() {
    }

    /** The body of {@code request} without its images; the caller adds their staged references. */
    static Map<String, Object> of(ImageRequest request) {
        return new LinkedHashMap<>(JSON.convertValue(request, new TypeReference<Map<String, Object>>() {
        }));
    }
}
