package io.imagefn.http;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.imagefn.limits.LimitHeaders;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Writes a key's rate-limit standing ({@code x-ratelimit-*}) on the answer of the request that was admitted or refused
 * under it, on both doors and whatever the answer is: the admission notes the headers on the request's Vert.x context
 * (the worker thread running the request carries it), and they are added as the answer's headers go out.
 */
@ApplicationScoped
public class LimitHeadersOnAnswers {

    void register(@Observes Router router) {
        // first of all: refusals answered by the later handlers carry the headers too
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            Context request = Vertx.currentContext();
            ctx.addHeadersEndHandler(v -> {
                Map<String, String> noted = request == null ? null : request.getLocal(LimitHeaders.NOTE);
                if (noted != null) {
                    noted.forEach(ctx.response()::putHeader);
                }
            });
            ctx.next();
        });
    }
}
