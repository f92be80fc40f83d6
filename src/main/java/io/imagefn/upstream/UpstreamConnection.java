package io.imagefn.upstream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;

import io.imagefn.config.ImagefnConfig;
import io.quarkus.logging.Log;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;

/**
 * The declarative client, built on first use for wherever {@link UpstreamTarget} points (a random test port or the
 * emulator's address is known only once the server is bound). Kept apart from {@link UpstreamClient} so that it can be
 * built ahead of a SnapStart checkpoint without passing through the fault tolerance.
 */
@ApplicationScoped
public class UpstreamConnection {

    private final ImagefnConfig.Upstream config;
    private final UpstreamTarget target;
    private volatile OpenAiImagesApi api;

    public UpstreamConnection(ImagefnConfig config, UpstreamTarget target) {
        this.config = config.upstream();
        this.target = target;
    }

    OpenAiImagesApi api() {
        OpenAiImagesApi a = api;
        if (a == null) {
            synchronized (this) {
                if (api == null) {
                    api = build(target.resolve());
                }
                a = api;
            }
        }
        return a;
    }

    /** Builds the client now (class loading, proxies), without calling the upstream. */
    public void prime() {
        api();
    }

    /** Above the fault-tolerance timeout, so that the timeout callers see is the configured one. */
    Duration readTimeout() {
        return Duration.ofSeconds(config.timeoutSeconds() + 30);
    }

    private OpenAiImagesApi build(UpstreamTarget.Resolved resolved) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(resolved.baseUri())
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                // the default (RFC1738) mode nests repeated same-name files as multipart/mixed, which servers
                // reject; HTML5 sends each image[] as a plain part, like the official SDKs
                .multipartPostEncoderMode("HTML5");
        if (resolved.apiKey().isPresent()) {
            // read per request: a key from Secrets Manager is read again after a SnapStart restore
            builder.register((ClientRequestFilter) request -> target.currentKey().ifPresent(key -> request
                    .getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + key)));
        }
        Log.infof("Upstream images API client ready for %s", resolved.baseUri());
        return builder.build(OpenAiImagesApi.class);
    }
}
