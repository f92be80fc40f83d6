package io.imagefn.http;

import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps the image endpoints' multipart bodies raw. The router-wide body handler (installed for the function
 * bindings) parses {@code multipart/form-data} itself and decodes parts without a filename as text, which destroys
 * image bytes: the official SDKs send {@code image} parts exactly that way. Before it runs, the media type of these
 * few requests is relabelled {@value #RAW} (boundary kept), so the body reaches the resource untouched and
 * {@link FormParts#parse} reads every part's exact bytes.
 */
@ApplicationScoped
public class RawMultipart {

    /** The media type the image endpoints consume their multipart bodies as. */
    public static final String RAW = "multipart/x-imagefn-raw";

    private static final Set<String> PATHS = Set.of("/v1/images/edits", "/v1/images/variations",
            "/emulator/v1/images/edits", "/emulator/v1/images/variations");

    void register(@Observes Router router) {
        // before the body handler (Integer.MIN_VALUE + 1)
        router.route().order(Integer.MIN_VALUE).handler(this::relabel);
    }

    private void relabel(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (ctx.request().method() == HttpMethod.POST && type != null && PATHS.contains(ctx.normalizedPath())
                && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, RAW + type.substring("multipart/form-data".length()));
        }
        ctx.next();
    }
}
