package io.imagefn.upstream;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.config.SecretValues;
import io.imagefn.observe.Redaction;

/**
 * The upstream API key: from configuration ({@code IMAGEFN_UPSTREAM_API_KEY} or {@code OPENAI_API_KEY}), or read at
 * runtime from AWS Secrets Manager when {@code IMAGEFN_UPSTREAM_API_KEY_SECRET} names a secret, so that the key never
 * sits in a function's configuration. A secret is read once and kept for the life of the instance ({@link #refresh()}
 * reads it again, after a SnapStart restore). The key is never logged.
 */
@ApplicationScoped
public class UpstreamKey {

    static final String SECRET_SETTING = "IMAGEFN_UPSTREAM_API_KEY_SECRET";

    private final ImagefnConfig config;
    private volatile Optional<String> fromSecret;

    public UpstreamKey(ImagefnConfig config) {
        this.config = config;
    }

    /** The key, if any is configured. Reads the secret on first use. */
    public Optional<String> get() {
        Optional<String> key = read();
        // no text that leaves (an upstream's error message, a log line) may carry it
        key.ifPresent(Redaction::secret);
        return key;
    }

    private Optional<String> read() {
        if (config.upstream().apiKeySecret().isEmpty()) {
            return config.upstream().apiKey().filter(k -> !k.isBlank());
        }
        Optional<String> key = fromSecret;
        if (key == null) {
            synchronized (this) {
                if (fromSecret == null) {
                    fromSecret = Optional.of(readSecret(config.upstream().apiKeySecret().get()));
                }
                key = fromSecret;
            }
        }
        return key;
    }

    /** Whether a key is configured, without reading a secret. */
    public boolean configured() {
        return config.upstream().apiKeySecret().isPresent()
                || config.upstream().apiKey().filter(k -> !k.isBlank()).isPresent();
    }

    /** Forgets a key read from a secret, so the next use reads it again (a rotated key, a restored snapshot). */
    public void refresh() {
        fromSecret = null;
    }

    private String readSecret(String secretId) {
        return SecretValues.read(config, SECRET_SETTING, secretId, "upstream API key");
    }
}
