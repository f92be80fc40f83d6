package io.imagefn.upstream;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.EditRequest;
import io.imagefn.images.ImagesApiException;

/**
 * What the configured upstream takes, judged while a request is validated: before any input is fetched, any job is
 * queued or anything is paid. Azure OpenAI has no variations endpoint, and takes edits as multipart forms only, which
 * have no {@code moderation}; OpenAI (and compatible APIs) take an edit that carries {@code moderation} in their JSON
 * form ({@link #jsonForm}).
 */
@ApplicationScoped
public class UpstreamScope {

    private final ImagefnConfig.Upstream config;

    public UpstreamScope(ImagefnConfig config) {
        this.config = config.upstream();
    }

    /** Whether an edit goes upstream in OpenAI's JSON form: when it carries a field only that form has. */
    static boolean jsonForm(EditRequest request) {
        return request.moderation() != null;
    }

    /** Refuses an edit the upstream cannot take as asked. */
    public void checkEdit(EditRequest request) {
        if (azure() && jsonForm(request)) {
            throw new ImagesApiException(400, ImagesApiException.INVALID_REQUEST, "moderation", "unsupported_parameter",
                    "'moderation' is not supported for edits by the configured upstream: Azure OpenAI takes edits as "
                            + "multipart forms, which have no moderation field. Leave it out; the default moderation "
                            + "applies.", null);
        }
    }

    /** Refuses a variation where the upstream has none. */
    public void checkVariation() {
        if (azure()) {
            throw new ImagesApiException(400, ImagesApiException.INVALID_REQUEST, "model", "unsupported_operation",
                    "Image variations are not served by the configured upstream: Azure OpenAI has no variations "
                            + "endpoint.", null);
        }
    }

    private boolean azure() {
        return config.provider() == ImagefnConfig.Provider.AZURE;
    }
}
