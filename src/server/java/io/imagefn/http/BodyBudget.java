package io.imagefn.http;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImagesApiException;
import io.imagefn.memory.MemoryBudget;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Bounds what request bodies can cost the server, which buffers each body whole: a budget of bytes held at once across
 * requests (beyond it, 503 with {@code Retry-After} before anything is read) and a deadline for receiving a body (a
 * stalled or trickling one is answered 408 and its connection closed). The deadline is for receiving only: it ends
 * when the body handler has the whole body, however long the answer then takes (a generation may take minutes). See
 * {@link ImagefnConfig.Bodies}.
 */
@ApplicationScoped
public class BodyBudget {

    private final MemoryBudget memory;
    private final long budget;
    private final long deadlineMillis;
    private final long maxBody;
    private final Vertx vertx;

    public BodyBudget(ImagefnConfig config, Vertx vertx, MemoryBudget memory,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        // shared with the input images requests download (MemoryBudget): both are bytes held for requests
        this.memory = memory;
        this.budget = memory.budget();
        this.deadlineMillis = Math.max(1, config.bodies().readDeadline().toMillis());
        this.maxBody = maxBody.asLongValue();
        this.vertx = vertx;
    }

    /** Routing-context key of what ends a request's body deadline once its body is in. */
    private static final String RECEIVED = "imagefn.body-received";

    void register(@Observes Router router) {
        // after the API-key and method checks (a refused request reserves nothing), before any body is read
        router.route().order(Integer.MIN_VALUE + 1).handler(this::admit);
        // after the body handler (Integer.MIN_VALUE + 1): the whole body is in, the deadline is over
        router.route().order(Integer.MIN_VALUE + 2).handler(this::received);
    }

    private void received(RoutingContext ctx) {
        Runnable end = ctx.get(RECEIVED);
        if (end != null) {
            end.run();
        }
        ctx.next();
    }

    /** Bytes held now (bodies and downloaded inputs), for the metrics and the tests. */
    public long held() {
        return memory.held();
    }

    private void admit(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader("Content-Length");
        String encoding = request.getHeader("Transfer-Encoding");
        boolean chunked = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
        long size;
        try {
            size = chunked ? maxBody : length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            ctx.next(); // the server refuses a malformed length itself
            return;
        }
        if (size <= 0 || size > maxBody) {
            ctx.next(); // nothing to hold, or over the server's own limit, which answers 413
            return;
        }
        if (size > budget) {
            refuse(ctx, chunked
                    ? new ImagesApiException(411, ImagesApiException.INVALID_REQUEST, null, "length_required",
                            "Send the request with a Content-Length: this server takes bodies of unknown length only "
                                    + "when it can hold " + maxBody + " bytes for them.", null)
                    : new ImagesApiException(413, ImagesApiException.INVALID_REQUEST, null, "request_too_large",
                            "The request body is larger than this server takes at once (" + budget + " bytes).",
                            null));
            return;
        }
        if (!memory.tryReserve(size)) {
            refuse(ctx, MemoryBudget.busy("request bodies and input images"));
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        AtomicBoolean received = new AtomicBoolean();
        long timer = vertx.setTimer(deadlineMillis, id -> {
            if (!received.get()) {
                late(ctx);
            }
        });
        ctx.put(RECEIVED, (Runnable) () -> {
            received.set(true);
            vertx.cancelTimer(timer);
        });
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                memory.release(size);
                vertx.cancelTimer(timer);
            }
        };
        // called when the response ends, and when the connection closes first
        ctx.addEndHandler(done -> release.run());
        ctx.next();
    }

    /** The body did not arrive in time: answer, and close the connection so that nothing more is read. */
    private void late(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.request().connection().close();
            return;
        }
        ctx.response().putHeader("Connection", "close");
        HttpErrors.send(ctx, new ImagesApiException(408, ImagesApiException.INVALID_REQUEST, null, "request_timeout",
                "The request body was not received within " + deadlineMillis + " ms. Send the whole body at once.",
                null), "REFUSED").onComplete(sent -> ctx.request().connection().close());
    }

    /**
     * Answers at once, then lets the client finish sending (discarded, nothing held) so that it reads the answer
     * rather than a reset connection; the connection closes when the body ends, or at the deadline.
     */
    private void refuse(RoutingContext ctx, ImagesApiException error) {
        HttpServerRequest request = ctx.request();
        long timer = vertx.setTimer(deadlineMillis, id -> request.connection().close());
        request.handler(discarded -> {
        });
        request.endHandler(end -> {
            vertx.cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
        ctx.response().putHeader("Connection", "close");
        HttpErrors.send(ctx, error, "REFUSED");
    }
}
