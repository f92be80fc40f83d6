package io.imagefn.http;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.imagefn.images.ImagesApiException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;

/** The OpenAI-shaped errors for failures the HTTP layer itself detects, shared by the Vert.x and JAX-RS paths. */
final class HttpErrors {

    private HttpErrors() {
    }

    /**
     * Answers a request the router refuses before any function or resource runs, in the OpenAI shape with its
     * {@code Retry-After}; headers the caller set on the response beforehand are kept.
     *
     * @param template the request's URI tag in the metrics: refused requests share one series
     */
    static Future<Void> send(RoutingContext ctx, ImagesApiException error, String template) {
        ApiKeyGuard.pathTemplate(template);
        HttpServerResponse response = ctx.response().setStatusCode(error.status())
                .putHeader("Content-Type", "application/json");
        error.answerHeaders().forEach(response::putHeader);
        return response.end(Json.encode(error.body()));
    }

    static ImagesApiException invalidJson() {
        return ImagesApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your request. "
                + "The API expects a JSON object; check the body and the Content-Type.");
    }

    static ImagesApiException emptyBody() {
        return ImagesApiException.invalid(null, "invalid_json", "The request body is empty. The API expects a JSON "
                + "object (or a multipart form for edits and variations).");
    }

    /** As {@link #invalidJson()}, with the parser's reason (without its location, cut short). */
    static ImagesApiException invalidJson(JsonProcessingException e) {
        String reason = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().replaceAll("\\s+", " ")
                .replaceAll(" ?\\(start marker at .*$", "").replaceAll(" ?at \\[Source: .*$", "");
        if (reason.length() > 160) {
            reason = reason.substring(0, 160) + "…";
        }
        return ImagesApiException.invalid(null, "invalid_json", "We could not parse the JSON body of your request ("
                + reason + "). The API expects a JSON object; check the body and the Content-Type.");
    }

    /**
     * The error for a bare HTTP status.
     *
     * @param request {@code "POST /path"} when known, named in 404 and 405 messages; may be null
     */
    static ImagesApiException forStatus(int status, String request) {
        if (status < 400 || status >= 500) {
            return new ImagesApiException(status >= 500 ? status : 500, "api_error", null, "internal_error",
                    "The server had an error while processing your request.", null);
        }
        String where = request == null ? "" : ": " + request;
        String code = switch (status) {
            case 404 -> "unknown_url";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            default -> null;
        };
        String message = switch (status) {
            case 400 -> "The request could not be read: check the body and the Content-Type.";
            case 404 -> "Unknown request URL" + where + ".";
            case 405 -> "Method not allowed" + where + ".";
            case 413 -> "The request body is too large.";
            case 415 -> "Unsupported Content-Type: send application/json, or multipart/form-data where files are "
                    + "uploaded.";
            default -> "The request was refused (HTTP " + status + ").";
        };
        return new ImagesApiException(status, ImagesApiException.INVALID_REQUEST, null, code, message, null);
    }
}
