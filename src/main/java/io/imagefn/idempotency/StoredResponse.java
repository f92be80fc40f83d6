package io.imagefn.idempotency;

import java.util.List;

import io.imagefn.images.ImagesResponse;
import io.imagefn.storage.ImageStore;

/**
 * A response and where its images were stored.
 *
 * @param stored one entry per {@code response.data()} element, null where the image could not be stored
 */
public record StoredResponse(ImagesResponse response, List<ImageStore.StoredImage> stored) {

    boolean allStored() {
        return stored.stream().allMatch(java.util.Objects::nonNull);
    }
}
