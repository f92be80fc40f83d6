package io.imagefn.upstream;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Multi;

/**
 * The OpenAI-compatible images endpoints, as a declarative client. Only {@link UpstreamClient} uses it; that bean
 * carries the base URL, the key and the fault tolerance.
 */
@RegisterRestClient(configKey = "openai-images")
@Path("/images")
interface OpenAiImagesApi {

    @POST
    @Path("/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response generations(GenerationsBody body);

    /**
     * {@code stream: true}: server-sent events, one per partial or completed image, handed over as the bytes arrive
     * ({@link EventStreamRelabel}) and decoded by {@link UpstreamStream}.
     */
    @POST
    @Path("/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<byte[]> generationsStream(GenerationsBody body);

    @POST
    @Path("/edits")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<byte[]> editsStream(ClientMultipartForm form);

    @POST
    @Path("/edits")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    Response edits(ClientMultipartForm form);

    /** An edit in OpenAI's JSON form, for the fields only it has ({@code moderation}); images as data URLs. */
    @POST
    @Path("/edits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response editsJson(EditsJsonBody body);

    @POST
    @Path("/edits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<byte[]> editsJsonStream(EditsJsonBody body);

    @POST
    @Path("/variations")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    Response variations(ClientMultipartForm form);

    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return UpstreamException.fromResponse(response);
    }
}
