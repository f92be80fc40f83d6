package io.imagefn.http;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;

/** The JAX-RS side of the HTTP surface answers every failure in the OpenAI error shape too. */
public class OpenAiExceptionMappers {

    @ServerExceptionMapper
    public Response apiError(ImagesApiException e) {
        if (e.status() >= 500) {
            Log.warnf("answered %d: %s", e.status(), Redaction.forLog(e.getMessage()));
        }
        return render(e);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return render(HttpErrors.invalidJson(e));
    }

    /** More specific than Quarkus's own mapper for it, which answers a bare 400 (trailing content, wrong types). */
    @ServerExceptionMapper
    public Response mismatchedJson(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return render(HttpErrors.invalidJson(e));
    }

    /** Out of memory anywhere under a resource: imagefn's own, retryable failure, as documented. */
    @ServerExceptionMapper
    public Response outOfMemory(OutOfMemoryError e) {
        return apiError(ImagesApiException.outOfMemory("while handling the request"));
    }

    @ServerExceptionMapper
    public Response webError(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException json) {
                return render(HttpErrors.invalidJson(json));
            }
        }
        if (status >= 500) {
            Log.error("request failed", e);
        }
        return render(HttpErrors.forStatus(status, null));
    }

    static Response render(ImagesApiException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body());
        e.answerHeaders().forEach(r::header);
        return r.build();
    }
}
