package io.imagefn.pipeline;

import java.util.Optional;

import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Binding;

/**
 * Where a request came from, beyond its body: the binding, whose key space an idempotency key lives in, and the key
 * the transport carried ({@code Idempotency-Key} header, CloudEvent id).
 *
 * @param scope          the caller (a digest of its API key, a CloudEvent source), so that two callers' keys never meet
 * @param idempotencyKey the transport's key, or null
 */
public record Origin(Binding binding, String scope, String idempotencyKey) {

    public static Origin of(Binding binding) {
        return new Origin(binding, "anonymous", null);
    }

    /**
     * Who owns the images this request stores, and so may use them again by {@code file_id}: an API-key caller (its
     * key's digest) owns its own; without API keys callers are not told apart and every image is
     * {@link io.imagefn.storage.ImageStore#ANONYMOUS}'s.
     */
    public String owner() {
        return scope.startsWith("key:") ? scope : io.imagefn.storage.ImageStore.ANONYMOUS;
    }

    /**
     * The transport's key when there is one, else the body's {@code idempotency_key}. An {@code Idempotency-Key}
     * header and a different body field are refused rather than one of them silently winning (a gateway in front
     * may go by the other); a CloudEvent's id, always there, is the event's key whatever its data says.
     */
    public Optional<String> key(String fieldKey) {
        if (idempotencyKey != null && fieldKey != null && !idempotencyKey.equals(fieldKey)
                && binding != Binding.KNATIVE) {
            throw ImagesApiException.invalid("idempotency_key", "invalid_value", "The Idempotency-Key header and the "
                    + "idempotency_key field differ; send the key once, or the same in both.");
        }
        return Optional.ofNullable(idempotencyKey != null ? idempotencyKey : fieldKey);
    }
}
