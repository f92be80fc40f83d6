package io.imagefn.upstream;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.client.SseEvent;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

import io.smallrye.mutiny.Multi;

/**
 * The images endpoints, whichever API serves them: {@link OpenAiImagesApi} (OpenAI and compatible APIs) or
 * {@link AzureOpenAiImagesApi} (Azure OpenAI, one deployment per model). {@code model} picks Azure's deployment.
 */
interface ImagesWire {

    RestResponse<ImagesBody> generations(GenerationsBody body);

    Multi<SseEvent<String>> generationsStream(GenerationsBody body);

    RestResponse<ImagesBody> edits(String model, ClientMultipartForm form);

    Multi<SseEvent<String>> editsStream(String model, ClientMultipartForm form);

    RestResponse<ImagesBody> variations(ClientMultipartForm form);
}
