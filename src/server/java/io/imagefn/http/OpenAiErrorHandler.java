package io.imagefn.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Funqy's HTTP binding answers every failure with a bare status or a 500 and a stack trace (quarkusio/quarkus#39355).
 * This router-wide failure handler answers in the OpenAI error shape instead, with the right status.
 */
@ApplicationScoped
public class OpenAiErrorHandler {

    private final ObjectMapper json;

    public OpenAiErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (callerWentAway(ctx.failure())) {
            // a client that aborts its upload is not our failure, nor a connection we closed after answering (a body
            // past its deadline), and one ERROR line each would let anyone flood the log; nobody is left to answer
            Log.debugf("%s %s: the connection closed", ctx.request().method(), ctx.request().path());
            return;
        }
        if (response.headWritten()) {
            ctx.next();
            return;
        }
        ImagesApiException error = toApiError(ctx);
        if (error.status() >= 500 && !isApiError(ctx.failure())) {
            Log.errorf(ctx.failure(), "%s %s failed unexpectedly", ctx.request().method(), ctx.request().path());
        } else if (error.status() >= 500) {
            Log.warnf("%s %s answered %d: %s", ctx.request().method(), Redaction.forLog(ctx.request().path()),
                    error.status(), Redaction.forLog(error.getMessage()));
        }
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        error.answerHeaders().forEach(response::putHeader);
        try {
            response.end(json.writeValueAsString(error.body()));
        } catch (JsonProcessingException e) {
            response.end("{\"error\":{\"message\":\"internal error\",\"type\":\"api_error\",\"param\":null,\"code\":null}}");
        }
    }

    private static boolean callerWentAway(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.core.http.HttpClosedException
                    || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isApiError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ImagesApiException) {
                return true;
            }
        }
        return false;
    }

    static ImagesApiException toApiError(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ImagesApiException e) {
                return e;
            }
            if (t instanceof OutOfMemoryError) {
                return ImagesApiException.outOfMemory("while handling the request");
            }
        }
        int status = ctx.statusCode();
        if (failure == null && status == 400) {
            // Funqy could not read the body as JSON
            return HttpErrors.invalidJson();
        }
        return HttpErrors.forStatus(failure == null ? status : 500,
                ctx.request().method() + " " + ctx.request().path());
    }
}
