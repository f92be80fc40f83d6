package io.imagefn.openai;

import java.util.Comparator;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.imagefn.images.ImageModel;
import io.imagefn.images.ImagesApiException;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's model-object shape, listing the image models
 * imagefn serves (its model table), so that an SDK's {@code models.list()} and {@code retrieve()} work.
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /**
     * {@code created}: when imagefn's model table was last reviewed (2026-11-24), the same for every model. It is not
     * the model's release date, which OpenAI does not publish for every image model.
     */
    static final long TABLE_REVIEWED = 1795478400L;

    /** OpenAI's model object. */
    public record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
        static Model of(ImageModel model) {
            return new Model(model.name(), "model", TABLE_REVIEWED, "openai");
        }
    }

    /** OpenAI's list of models. */
    public record ModelList(String object, List<Model> data) {
    }

    @GET
    public ModelList list() {
        return new ModelList("list", ImageModel.KNOWN.values().stream()
                .sorted(Comparator.comparing(ImageModel::name)).map(Model::of).toList());
    }

    @GET
    @Path("/{model}")
    public Model retrieve(@PathParam("model") String id) {
        return ImageModel.known(id).map(Model::of).orElseThrow(() -> new ImagesApiException(404,
                ImagesApiException.INVALID_REQUEST, "model", "model_not_found", "The model '"
                        + ImagesApiException.excerpt(id) + "' does not exist or is not an image model "
                        + "imagefn serves.", null));
    }
}
