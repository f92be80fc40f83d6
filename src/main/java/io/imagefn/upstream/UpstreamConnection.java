package io.imagefn.upstream;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.client.api.ClientMultipartForm;

import io.imagefn.config.ImagefnConfig;
import io.quarkus.logging.Log;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Multi;

/**
 * The declarative client (OpenAI's API or Azure OpenAI's, per {@code imagefn.upstream.provider}), built on first use
 * for wherever {@link UpstreamTarget} points (a random test port or the
 * emulator's address is known only once the server is bound). Kept apart from {@link UpstreamClient} so that it can be
 * built ahead of a SnapStart checkpoint without passing through the fault tolerance.
 */
@ApplicationScoped
public class UpstreamConnection {

    private final ImagefnConfig.Upstream config;
    private final UpstreamTarget target;
    private volatile ImagesWire api;

    public UpstreamConnection(ImagefnConfig config, UpstreamTarget target) {
        this.config = config.upstream();
        this.target = target;
    }

    ImagesWire api() {
        ImagesWire a = api;
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

    /**
     * Builds the client now (class loading, proxies), without calling the upstream. Not for the emulator, whose
     * address (this server's own port) may not be bound yet at startup; it is a development stand-in.
     *
     * @return whether the client was built
     */
    public boolean prime() {
        if (target.usesEmulator()) {
            return false;
        }
        api();
        return true;
    }

    /** Above the fault-tolerance timeout, so that the timeout callers see is the configured one. */
    Duration readTimeout() {
        return Duration.ofSeconds(config.timeoutSeconds() + 30);
    }

    private ImagesWire build(UpstreamTarget.Resolved resolved) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(resolved.baseUri())
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                // the default (RFC1738) mode nests repeated same-name files as multipart/mixed, which servers
                // reject; HTML5 sends each image[] as a plain part, like the official SDKs
                .multipartPostEncoderMode("HTML5")
                .register(new EventStreamRelabel());
        boolean azure = config.provider() == ImagefnConfig.Provider.AZURE;
        if (resolved.apiKey().isPresent()) {
            // read per request: a key from Secrets Manager is read again after a SnapStart restore
            builder.register((ClientRequestFilter) request -> target.currentKey().ifPresent(key -> {
                if (azure) {
                    request.getHeaders().putSingle("api-key", key);
                } else {
                    request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + key);
                }
            }));
        }
        Log.infof("Upstream images API client ready for %s (%s)", resolved.baseUri(), azure ? "Azure OpenAI"
                : "OpenAI API");
        return azure ? azure(builder.build(AzureOpenAiImagesApi.class)) : openAi(builder.build(OpenAiImagesApi.class));
    }

    private static ImagesWire openAi(OpenAiImagesApi api) {
        return new ImagesWire() {
            public Response generations(GenerationsBody body) {
                return api.generations(body);
            }

            public Multi<byte[]> generationsStream(GenerationsBody body) {
                return api.generationsStream(body);
            }

            public Response edits(String model, ClientMultipartForm form) {
                return api.edits(form);
            }

            public Multi<byte[]> editsStream(String model, ClientMultipartForm form) {
                return api.editsStream(form);
            }

            public Response editsJson(EditsJsonBody body) {
                return api.editsJson(body);
            }

            public Multi<byte[]> editsJsonStream(EditsJsonBody body) {
                return api.editsJsonStream(body);
            }

            public Response variations(ClientMultipartForm form) {
                return api.variations(form);
            }
        };
    }

    private ImagesWire azure(AzureOpenAiImagesApi api) {
        Map<String, String> deployments = deployments(config.azure().deployments().orElse(List.of()));
        String version = config.azure().apiVersion();
        return new ImagesWire() {
            private String deployment(String model) {
                return deployments.getOrDefault(model, model);
            }

            public Response generations(GenerationsBody body) {
                return api.generations(deployment(body.model()), version, body);
            }

            public Multi<byte[]> generationsStream(GenerationsBody body) {
                return api.generationsStream(deployment(body.model()), version, body);
            }

            public Response edits(String model, ClientMultipartForm form) {
                return api.edits(deployment(model), version, form);
            }

            public Multi<byte[]> editsStream(String model, ClientMultipartForm form) {
                return api.editsStream(deployment(model), version, form);
            }

            public Response editsJson(EditsJsonBody body) {
                throw notServed();
            }

            public Multi<byte[]> editsJsonStream(EditsJsonBody body) {
                throw notServed();
            }

            public Response variations(ClientMultipartForm form) {
                throw notServed();
            }

            /** Refused by {@link UpstreamScope} before anything is spent; reaching here is a bug. */
            private IllegalStateException notServed() {
                return new IllegalStateException("Azure OpenAI serves neither variations nor JSON edits");
            }
        };
    }

    /** {@code model=deployment} pairs; a malformed one stops the startup rather than sending calls astray. */
    static Map<String, String> deployments(List<String> pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("imagefn.upstream.azure.deployments takes model=deployment pairs, "
                        + "not '" + pair + "'");
            }
            map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return Map.copyOf(map);
    }
}
