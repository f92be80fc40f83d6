package io.imagefn.upstream;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

import io.smallrye.mutiny.Multi;

/**
 * The images endpoints, whichever API serves them: {@link OpenAiImagesApi} (OpenAI and compatible APIs) or
 * {@link AzureOpenAiImagesApi} (Azure OpenAI, one deployment per model). {@code model} picks Azure's deployment.
 */
interface ImagesWire {

    Response generations(GenerationsBody body);

    Multi<byte[]> generationsStream(GenerationsBody body);

    Response edits(String model, ClientMultipartForm form);

    Multi<byte[]> editsStream(String model, ClientMultipartForm form);

    /** OpenAI's JSON edit; only an upstream that takes it is sent one ({@link UpstreamScope}). */
    Response editsJson(EditsJsonBody body);

    Multi<byte[]> editsJsonStream(EditsJsonBody body);

    Response variations(ClientMultipartForm form);
}
