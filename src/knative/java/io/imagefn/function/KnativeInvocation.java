package io.imagefn.function;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.observe.Binding;
import io.imagefn.pipeline.Origin;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The functions as CloudEvent functions: the event's {@code id} and {@code source} are the idempotency key, so a
 * redelivered event gets the first delivery's images without another upstream call. Read from the {@code ce-}
 * headers (binary content mode) or the event document (structured mode). Which event type triggers which function,
 * and the result events' type and source, are configured in this build's {@code microprofile-config.properties}.
 */
@ApplicationScoped
public class KnativeInvocation implements Invocation {

    private final CurrentVertxRequest http;

    public KnativeInvocation(CurrentVertxRequest http) {
        this.http = http;
    }

    @Override
    public Origin origin(String bodyKey) {
        RoutingContext ctx = http.getCurrent();
        String id = ctx == null ? null : ctx.request().getHeader("ce-id");
        String source = ctx == null ? null : ctx.request().getHeader("ce-source");
        if (id == null && ctx != null && ctx.body() != null && isStructured(ctx)) {
            JsonObject event = ctx.body().asJsonObject();
            id = event.getString("id");
            source = event.getString("source");
        }
        return id == null ? Origin.of(Binding.KNATIVE) : new Origin(Binding.KNATIVE, "ce:" + source, id);
    }

    private static boolean isStructured(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        return type != null && type.startsWith("application/cloudevents+json");
    }
}
