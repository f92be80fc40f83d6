package io.imagefn.http;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import io.imagefn.images.ImagesApiException;
import io.imagefn.images.Sha256;
import io.imagefn.limits.KeyRegistry;
import io.imagefn.upstream.OfflineEmulator;
import io.quarkus.logging.Log;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * When {@code IMAGEFN_API_KEYS} is set, every path needs {@code Authorization: Bearer <key>} but the few that are
 * public ({@link #isPublic}: the playground's page and model list, health, metrics, the OpenAPI document): {@code /v1/*},
 * the function paths, the offline emulator ({@code /emulator/*}: fault injection and free images are not for anonymous
 * callers; it also takes imagefn's own access token, {@link OfflineEmulator#accessToken()}) and any path nobody
 * thought of. Denying by default means a new route, or a spelling a router reads differently, is never an open door;
 * {@link PathGate} has already refused the spellings that routers read differently.
 * Checked before the body is read, compared in constant time (digests of equal length, every key compared), and the
 * presented key is never logged or echoed.
 */
@ApplicationScoped
public class ApiKeyGuard {

    /**
     * Names the request's path in Quarkus's HTTP metrics (their {@code uri} tag), where no route template will: Quarkus
     * reads it from the request context's {@code UrlPathTemplate} local.
     */
    static void pathTemplate(String template) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (context != null) {
            context.putLocal("UrlPathTemplate", template);
        }
    }

    /** Routing-context key of the caller's identity: a digest of the API key it presented (never the key). */
    static final String CALLER = "imagefn.caller";

    /** The paths anyone may read: the playground's page and assets, its model list, and the operator endpoints. */
    static boolean isPublic(String path) {
        return PUBLIC.contains(path) || path.startsWith("/q/health/");
    }

    private static final Set<String> PUBLIC = Set.of("/", "/index.html", "/playground.css",
            "/playground.js", "/favicon.ico", "/playground/models", "/q/health", "/q/metrics", "/q/openapi");

    private final KeyRegistry keys;
    private final Instance<OfflineEmulator> emulator;

    public ApiKeyGuard(KeyRegistry keys, Instance<OfflineEmulator> emulator) {
        this.keys = keys;
        this.emulator = emulator;
    }

    void register(@Observes Router router) {
        if (!keys.keysRequired()) {
            Log.info("API keys: none configured, the HTTP surface is open");
            return;
        }
        Log.info("API keys: configured (IMAGEFN_API_KEYS and the keys document); every path but the playground page, "
                + "health, metrics and the OpenAPI document requires one");
        // before the body handler (Integer.MIN_VALUE + 1): a request without a key is refused unread
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String path = ctx.request().path();
        if (isPublic(path)) {
            ctx.next();
            return;
        }
        boolean emulator = path.startsWith("/emulator/");
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refuse(ctx, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", null);
        } else if (emulator && isEmulatorToken(header.substring(7).trim())) {
            // imagefn's own upstream client, calling the emulator that stands in for the upstream
            ctx.next();
        } else if (!matches(header.substring(7).trim())) {
            refuse(ctx, "Incorrect API key provided.", "invalid_api_key");
        } else {
            // idempotency keys live in their caller's key space
            ctx.put(CALLER, "key:" + HexFormat.of().formatHex(digest(header.substring(7).trim())));
            ctx.next();
        }
    }

    private boolean isEmulatorToken(String presented) {
        return emulator.isResolvable() && MessageDigest.isEqual(digest(presented),
                digest(emulator.get().accessToken()));
    }

    private boolean matches(String presented) {
        return keys.isKey(digest(presented));
    }

    private static void refuse(RoutingContext ctx, String message, String code) {
        // one metrics series for every refused request: an anonymous caller inventing paths (/v1/zz1, /v1/zz2...)
        // must not mint a series per path until the URI-tag cap drops the real routes
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        HttpErrors.send(ctx, new ImagesApiException(401, ImagesApiException.INVALID_REQUEST, null, code, message, null),
                "REFUSED");
    }

    private static byte[] digest(String key) {
        return Sha256.of(key);
    }
}
