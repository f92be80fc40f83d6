package io.imagefn.idempotency;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImagesResponse;
import io.imagefn.storage.ImageStore;

/** A completed request as its record keeps it, and the answer a duplicate gets from that record. */
@ApplicationScoped
public class Replays {

    private final ImageStore store;
    private final ImagefnConfig config;

    public Replays(ImageStore store, ImagefnConfig config) {
        this.store = store;
        this.config = config;
    }

    /** What the record keeps of a completed response: the images' ids and keys, not their signed URLs. */
    static IdempotencyRecord.Result result(StoredResponse done) {
        ImagesResponse r = done.response();
        List<IdempotencyRecord.Image> images = new ArrayList<>();
        for (int i = 0; i < r.data().size(); i++) {
            ImageStore.StoredImage s = done.stored().get(i);
            images.add(new IdempotencyRecord.Image(s.id(), s.key(), r.data().get(i).revisedPrompt()));
        }
        return new IdempotencyRecord.Result(r.created(), images, r.background(), r.outputFormat(), r.quality(), r.size(),
                r.usage(), r.estimatedCost());
    }

    /** The recorded response with fresh signed URLs; empty when an image has gone from the bucket. */
    public Optional<ImagesResponse> replay(IdempotencyRecord.Result result, boolean inline) {
        List<ImagesResponse.ImageData> data = new ArrayList<>();
        for (IdempotencyRecord.Image image : result.images()) {
            String b64 = null;
            if (inline) {
                Optional<byte[]> bytes = store.readKey(image.key());
                if (bytes.isEmpty()) {
                    return Optional.empty();
                }
                b64 = Base64.getEncoder().encodeToString(bytes.get());
            } else if (!store.exists(image.key())) {
                return Optional.empty();
            }
            ImageStore.StoredImage signed = store.sign(image.id(), image.key(), config.urlTtl());
            data.add(ImagesResponse.ImageData.stored(signed.url().toString(), b64, image.revisedPrompt(), image.id(),
                    signed.expiresAt().getEpochSecond()));
        }
        return Optional.of(new ImagesResponse(result.created(), data, result.background(), result.outputFormat(),
                result.quality(), result.size(), result.usage(), result.estimatedCost()));
    }
}
