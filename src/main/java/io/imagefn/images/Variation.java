package io.imagefn.images;

/** A {@link VariationRequest} whose fields passed validation, with its resolved model. */
public record Variation(ImageModel model, VariationRequest request) {
}
