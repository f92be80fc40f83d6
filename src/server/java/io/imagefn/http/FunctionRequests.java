package io.imagefn.http;

import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.imagefn.images.ImagesApiException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The function paths take what {@code /v1} takes: a {@code POST} with a JSON body. Funqy also serves {@code GET}
 * (the input from the query string) and reads a {@code text/plain} body as JSON; a gateway in front may see either
 * differently. So another method is a 405 (with {@code Allow: POST}) and another content type a 415, before the body
 * is read. A request without a {@code Content-Type} is read as JSON, as before.
 */
@ApplicationScoped
public class FunctionRequests {

    /** The paths Funqy serves the three operations on. */
    static final Set<String> FUNCTION_PATHS = Set.of("/generate", "/edit", "/variation");

    void register(@Observes Router router) {
        // with the API-key check, ahead of the body handler: nothing is read for a request that is refused
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (!FUNCTION_PATHS.contains(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        String request = ctx.request().method() + " " + ctx.normalizedPath();
        if (ctx.request().method() != HttpMethod.POST) {
            refuse(ctx, HttpErrors.forStatus(405, request), "POST");
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && !isJson(type)) {
            refuse(ctx, HttpErrors.forStatus(415, request), null);
            return;
        }
        ctx.next();
    }

    private static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json");
    }

    private static void refuse(RoutingContext ctx, ImagesApiException error, String allow) {
        if (allow != null) {
            ctx.response().putHeader("Allow", allow);
        }
        HttpErrors.send(ctx, error, ctx.normalizedPath());
    }
}
