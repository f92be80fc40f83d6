package io.imagefn.images;

/**
 * A {@link GenerateRequest} that passed validation, with the model it resolved to.
 *
 * @param model   the model the request is for (the default applied)
 * @param request the caller's fields as given
 */
public record Generation(ImageModel model, GenerateRequest request) {
}
