package io.imagefn.http;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Some empty bodies (a chunked body without a chunk; what RestAssured sends for an empty byte array) reached the
 * JAX-RS resources after the router-wide body handler had consumed the request, and the resource then waited for a
 * body that never came: the caller got no answer at all. Every empty {@code POST /v1/images/*} body is answered here
 * instead, with a 400 in the OpenAI shape.
 */
@ApplicationScoped
public class EmptyBodies {

    private static final Set<String> PATHS = Set.of("/v1/images/generations", "/v1/images/edits",
            "/v1/images/variations");

    void register(@Observes Router router) {
        // right after the body handler (Integer.MIN_VALUE + 1)
        router.route().order(Integer.MIN_VALUE + 2).handler(this::relabel);
    }

    private void relabel(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.POST && PATHS.contains(ctx.normalizedPath())
                && (ctx.body() == null || ctx.body().length() <= 0)) {
            ctx.fail(HttpErrors.emptyBody());
            return;
        }
        ctx.next();
    }
}
