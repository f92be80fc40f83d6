package io.imagefn.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.images.Edit;
import io.imagefn.images.EditRequest;
import io.imagefn.images.ImageRef;
import io.imagefn.images.InputImage;
import io.imagefn.images.InputRules;
import io.imagefn.images.VariationRequest;
import io.imagefn.inputs.ImageInputs;
import io.imagefn.memory.MemoryBudget;
import io.imagefn.pipeline.Origin;
import io.imagefn.storage.ImageStore;

/**
 * A job's input images, staged before it is queued: each upload, data URL or fetched URL is loaded and checked as the
 * synchronous request would check it (a refused image queues nothing), then kept in the bucket as the caller's
 * {@code file_id}, so that the job, on whichever instance runs it, reads it from there.
 */
@ApplicationScoped
public class JobInputs {

    private final ImageInputs inputs;
    private final ImageStore images;
    private final MemoryBudget memory;

    public JobInputs(ImageInputs inputs, ImageStore images, MemoryBudget memory) {
        this.inputs = inputs;
        this.images = images;
        this.memory = memory;
    }

    /** The edit's {@code images} and {@code mask} as staged references, put into {@code body}. */
    void stageEdit(EditRequest request, Edit edit, Origin origin, Map<String, Object> body) {
        try (MemoryBudget.Lease held = memory.lease()) {
            List<InputImage> loaded = request.images().stream().map(r -> inputs.load(r, origin.owner(), held))
                    .toList();
            InputImage mask = request.mask() == null ? null : inputs.load(request.mask(), origin.owner(), held);
            InputRules.checkEditInputs(edit.model(), loaded, mask);
            List<Object> refs = new ArrayList<>();
            for (int i = 0; i < loaded.size(); i++) {
                refs.add(staged(request.images().get(i), loaded.get(i), origin));
            }
            body.put("images", refs);
            if (mask != null) {
                body.put("mask", staged(request.mask(), mask, origin));
            }
        }
    }

    /** The variation's {@code image} as a staged reference, put into {@code body}. */
    void stageVariation(VariationRequest request, Origin origin, Map<String, Object> body) {
        try (MemoryBudget.Lease held = memory.lease()) {
            InputImage image = inputs.load(request.image(), origin.owner(), held);
            InputRules.checkVariationInput(image);
            body.put("image", staged(request.image(), image, origin));
        }
    }

    /** An image already in the bucket keeps its id; any other is stored under the caller's name. */
    private Map<String, Object> staged(ImageRef ref, InputImage image, Origin origin) {
        if (ref.fileId() != null) {
            return Map.of("file_id", ref.fileId());
        }
        return Map.of("file_id", images.put(image.bytes(), image.header().format(), origin.owner()).id());
    }
}
