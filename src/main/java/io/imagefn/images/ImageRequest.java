package io.imagefn.images;

import java.util.List;

/**
 * The fields every operation's request shares, and what reading it left behind: the {@code idempotency_key}, the
 * fingerprint a retry must match, and the problems validation reports first. Read from plain JSON values (or a
 * multipart form), so that every type error names its field.
 */
public interface ImageRequest {

    String model();

    Integer n();

    String size();

    String responseFormat();

    String user();

    /** The {@code idempotency_key} field, or null. */
    String idempotencyKey();

    /** A digest of the request's content, the same for a retry of it (see {@link RequestFields#fingerprint}). */
    String fingerprint();

    /** What could not be read (a wrong type, an unknown field...), reported before any rule. */
    List<ImagesApiException> problems();

    /** The fields generations and edits share besides: the prompt and the GPT image models' output settings. */
    interface Prompted extends ImageRequest {

        String prompt();

        String quality();

        String outputFormat();

        Integer outputCompression();

        String background();

        String moderation();

        Boolean stream();

        Integer partialImages();
    }
}
