package io.imagefn.http;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.imagefn.images.ImagesApiException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Every path rule (API keys, methods, content types, raw multipart, body budget) judges the path as written, and the
 * routers behind them each read it their own way: JAX-RS drops {@code ;parameters} from every segment, Vert.x decodes
 * some escapes and resolves dot segments. A path that two readers could see differently is refused here, first,
 * before any rule or router sees it, so that what the rules judge is exactly what is routed.
 *
 * <p>Refused (400 {@code invalid_path}): a {@code ;} anywhere, any {@code %} escape, a backslash, an empty segment
 * ({@code //}), a {@code .} or {@code ..} segment. None appears in a path of the Images API, the playground or the
 * operator endpoints.
 */
@ApplicationScoped
public class PathGate {

    /** Registered before every other router observer (they run in registration order at equal route order). */
    void register(@Observes @Priority(1) Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path == null || !canonical(path)) {
            ctx.response().putHeader("Connection", "close");
            HttpErrors.send(ctx, ImagesApiException.invalid(null, "invalid_path", "The request path '"
                    + ImagesApiException.excerpt(path == null ? "" : path) + "' is not in plain form: paths here "
                    + "take no ';' parameters, '%' escapes, backslashes, empty segments or '.' and '..' segments. "
                    + "Send the path as the API reference writes it."), "REFUSED");
            return;
        }
        ctx.next();
    }

    /** True when no reader of the path can see it as anything but itself. */
    static boolean canonical(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';' || c == '%' || c == '\\' || c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        // segments between slashes; a trailing slash leaves one empty last segment, which routers agree on
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if ((s.isEmpty() && !last) || s.equals(".") || s.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
