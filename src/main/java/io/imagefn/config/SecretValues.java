package io.imagefn.config;

import java.util.Optional;

import io.quarkus.logging.Log;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Reads a secret's plain-text value from AWS Secrets Manager (the upstream key, the webhook signing secrets), so that
 * it never sits in a function's configuration. The value is never logged; the SDK's error names the secret and the
 * reason, never a value.
 */
public final class SecretValues {

    private SecretValues() {
    }

    /**
     * @param setting the variable that named the secret, for the error message
     * @param what    what the secret holds, for the messages
     */
    public static String read(ImagefnConfig config, String setting, String secretId, String what) {
        return read(config, setting, secretId, what, true);
    }

    /** As {@link #read(ImagefnConfig, String, String, String)}; a periodic re-read passes {@code announce} false. */
    public static String read(ImagefnConfig config, String setting, String secretId, String what, boolean announce) {
        var builder = SecretsManagerClient.builder().httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.of(Optional.ofNullable(System.getenv("AWS_REGION")).orElse(config.s3().region())));
        config.upstream().secretsEndpoint().ifPresent(builder::endpointOverride);
        try (SecretsManagerClient client = builder.build()) {
            String value = client.getSecretValue(r -> r.secretId(secretId)).secretString();
            if (value == null || value.isBlank()) {
                throw new IllegalStateException(setting + " names the secret " + secretId
                        + ", which holds no plain-text value: store the " + what + " as the secret's string.");
            }
            if (announce) {
                Log.infof("The %s was read from Secrets Manager (%s)", what, secretId);
            }
            return value.strip();
        } catch (SdkException e) {
            throw new IllegalStateException("Could not read the " + what + " from Secrets Manager: " + setting
                    + " is " + secretId + " (" + e.getMessage() + ")", e);
        }
    }
}
