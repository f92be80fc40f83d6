package io.imagefn.function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.imagefn.http.HttpOrigin;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.Origin;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/** The functions over HTTP: the caller is the API key presented, the key the {@code Idempotency-Key} header. */
@ApplicationScoped
public class HttpInvocation implements Invocation {

    private final Instance<CurrentVertxRequest> http;

    public HttpInvocation(Instance<CurrentVertxRequest> http) {
        this.http = http;
    }

    @Override
    public Origin origin(String bodyKey) {
        return HttpOrigin.of(Binding.HTTP, http.isResolvable() ? http.get().getCurrent() : null);
    }
}
