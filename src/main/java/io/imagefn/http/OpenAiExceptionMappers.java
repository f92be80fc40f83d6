package io.imagefn.http;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.imagefn.images.ImagesApiException;
import io.quarkus.logging.Log;

/** The JAX-RS side of the HTTP surface answers every failure in the OpenAI error shape too. */
public class OpenAiExceptionMappers {

    @ServerExceptionMapper
    public Response apiError(ImagesApiException e) {
        if (e.status() >= 500) {
            Log.warnf("answered %d: %s", e.status(), e.getMessage());
        }
        return render(e);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return render(ImagesApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your "
                + "request. The API expects a JSON object; check the body and the Content-Type."));
    }

    @ServerExceptionMapper
    public Response webError(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            Log.error("request failed", e);
            return render(new ImagesApiException(status, "api_error", null, "internal_error",
                    "The server had an error while processing your request.", null));
        }
        String code = switch (status) {
            case 404 -> "unknown_url";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            default -> null;
        };
        String message = switch (status) {
            case 404 -> "Unknown request URL.";
            case 415 -> "Unsupported Content-Type: send application/json, or multipart/form-data where files are uploaded.";
            case 400 -> "The request could not be read: check the body and the Content-Type.";
            default -> "The request was refused (HTTP " + status + ").";
        };
        return render(new ImagesApiException(status, ImagesApiException.INVALID_REQUEST, null, code, message, null));
    }

    static Response render(ImagesApiException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body());
        e.retryAfterHeader().ifPresent(v -> r.header("Retry-After", v));
        return r.build();
    }
}
