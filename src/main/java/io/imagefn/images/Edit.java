package io.imagefn.images;

/** An {@link EditRequest} whose fields passed validation, with its resolved model; the image bytes come next. */
public record Edit(ImageModel model, EditRequest request) {
}
