package io.imagefn.playground;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;


import io.imagefn.images.ImageModel;
import io.imagefn.upstream.UpstreamTarget;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the playground page at {@code /} needs to follow the per-model rules: read from the same table the validation
 * uses, so the page never offers what the API would refuse. Public (no API key): it only describes the models.
 */
@Path("/playground/models")
public class PlaygroundResource {

    private final UpstreamTarget upstream;

    public PlaygroundResource(UpstreamTarget upstream) {
        this.upstream = upstream;
    }

    /** The upstream in use and each known model's options. */
    @RegisterForReflection
    public record Models(boolean emulator, List<Model> models) {
    }

    /** One model's options, as the page's controls need them. */
    @RegisterForReflection
    public record Model(String name, int maxN, Set<String> sizes, boolean freeFormSizes, Set<String> qualities,
            boolean streaming, boolean edits, boolean jsonEdits) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Models models() {
        List<Model> models = ImageModel.KNOWN.values().stream()
                .filter(m -> m.operations().contains(ImageModel.Operation.GENERATE))
                .sorted(java.util.Comparator.comparing(ImageModel::name))
                .map(m -> new Model(m.name(), m.maxN(), new TreeSet<>(m.sizes()),
                        m.supports(ImageModel.Param.FREE_FORM_SIZE), new TreeSet<>(m.qualities()),
                        m.supports(ImageModel.Param.STREAM), m.operations().contains(ImageModel.Operation.EDIT),
                        // the JSON edit body (images by reference) is OpenAI's for the GPT image models
                        m.editInputs().maxImages() > 1))
                .toList();
        return new Models(upstream.usesEmulator(), models);
    }
}
