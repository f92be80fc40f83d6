package io.imagefn.upstream;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Multi;

/**
 * Azure OpenAI's images endpoints, as a declarative client: one deployment per model, an {@code api-version} on every
 * call. Azure serves generations and edits; it has no variations. Only {@link UpstreamConnection} uses it.
 */
@RegisterRestClient(configKey = "azure-openai-images")
@Path("/openai/deployments/{deployment}/images")
interface AzureOpenAiImagesApi {

    @POST
    @Path("/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response generations(@PathParam("deployment") String deployment,
            @QueryParam("api-version") String apiVersion, GenerationsBody body);

    @POST
    @Path("/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<byte[]> generationsStream(@PathParam("deployment") String deployment,
            @QueryParam("api-version") String apiVersion, GenerationsBody body);

    @POST
    @Path("/edits")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    Response edits(@PathParam("deployment") String deployment,
            @QueryParam("api-version") String apiVersion, ClientMultipartForm form);

    @POST
    @Path("/edits")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<byte[]> editsStream(@PathParam("deployment") String deployment,
            @QueryParam("api-version") String apiVersion, ClientMultipartForm form);

    /** Azure's errors share OpenAI's {@code {"error":{...}}} shape, its status in {@code code} aside. */
    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        return UpstreamException.fromResponse(response);
    }
}
