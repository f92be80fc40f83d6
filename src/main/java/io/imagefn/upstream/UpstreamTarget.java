package io.imagefn.upstream;

import java.net.URI;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.ConfigProvider;

import io.imagefn.config.ImagefnConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * Decides where images come from: a configured URL, else the OpenAI API when a key is set, else this process's
 * offline emulator. The emulator is a development stand-in and is announced as such at startup.
 */
@ApplicationScoped
public class UpstreamTarget {

    public static final URI OPENAI = URI.create("https://api.openai.com/v1");
    public static final String EMULATOR_PATH = "/emulator/v1";

    private final ImagefnConfig.Upstream config;
    private final UpstreamKey key;
    private final Instance<OfflineEmulator> emulator;

    public UpstreamTarget(ImagefnConfig config, UpstreamKey key, Instance<OfflineEmulator> emulator) {
        this.config = config.upstream();
        this.key = key;
        this.emulator = emulator;
    }

    /** Where the calls go and with which key. */
    public record Resolved(URI baseUri, Optional<String> apiKey, boolean emulator) {
    }

    /** True when no upstream URL or key is configured, so the offline emulator serves the images. */
    public boolean usesEmulator() {
        return config.url().isEmpty() && !key.configured();
    }

    Resolved resolve() {
        if (config.provider() == ImagefnConfig.Provider.AZURE && config.url().isEmpty()) {
            throw new IllegalStateException("IMAGEFN_UPSTREAM_PROVIDER=azure needs IMAGEFN_UPSTREAM_URL, the Azure "
                    + "OpenAI resource's endpoint (https://<resource>.openai.azure.com).");
        }
        Optional<String> apiKey = key.get();
        if (config.url().isPresent()) {
            return new Resolved(config.url().get(), apiKey, false);
        }
        if (apiKey.isPresent()) {
            return new Resolved(OPENAI, apiKey, false);
        }
        return new Resolved(URI.create("http://127.0.0.1:" + httpPort() + EMULATOR_PATH), currentKey(), true);
    }

    /** The key to send now (a key from a secret is cached, and read again after {@link UpstreamKey#refresh()}). */
    Optional<String> currentKey() {
        if (usesEmulator()) {
            return emulator.isResolvable() ? Optional.of(emulator.get().accessToken()) : Optional.empty();
        }
        return key.get();
    }

    /** The port this process listens on; read late, because a random test port is known only once bound. */
    private static int httpPort() {
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(key, Integer.class).orElse(8080);
    }

    void announce(@Observes StartupEvent start) {
        if (config.provider() == ImagefnConfig.Provider.AZURE) {
            resolve(); // stops here when the endpoint is missing
        }
        if (usesEmulator() && !emulator.isResolvable()) {
            throw new IllegalStateException("No upstream configured: set IMAGEFN_UPSTREAM_API_KEY (or OPENAI_API_KEY) "
                    + "to use OpenAI, or IMAGEFN_UPSTREAM_URL for another OpenAI-compatible API. This build has no "
                    + "offline emulator.");
        }
        if (usesEmulator()) {
            Log.warnf("Upstream: the OFFLINE EMULATOR at %s (a development stand-in that draws placeholder images, "
                    + "not a real model). Set IMAGEFN_UPSTREAM_API_KEY or OPENAI_API_KEY to use OpenAI, or "
                    + "IMAGEFN_UPSTREAM_URL for another OpenAI-compatible API.", EMULATOR_PATH);
        } else {
            // reads a key kept in Secrets Manager now: a secret that cannot be read stops the startup, not the
            // first paid request
            Log.infof("Upstream: %s (API key %s)", config.url().orElse(OPENAI),
                    key.get().isPresent() ? "set" : "not set");
        }
    }
}
