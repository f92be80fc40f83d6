package io.imagefn.http;

import io.imagefn.observe.Binding;
import io.imagefn.pipeline.Origin;
import io.vertx.ext.web.RoutingContext;

/** The {@link Origin} of an HTTP request: its {@code Idempotency-Key} header, in the key space of its API key. */
public final class HttpOrigin {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private HttpOrigin() {
    }

    public static Origin of(Binding binding, RoutingContext ctx) {
        if (ctx == null) {
            return Origin.of(binding);
        }
        String caller = ctx.get(ApiKeyGuard.CALLER);
        return new Origin(binding, caller == null ? "anonymous" : caller, ctx.request().getHeader(IDEMPOTENCY_KEY));
    }
}
