package io.imagefn.function;

import java.util.function.Supplier;

import io.imagefn.images.ImagesResponse;
import io.imagefn.pipeline.Origin;

/**
 * What one binding adds to a function call: where the caller and the transport's idempotency key come from (an
 * HTTP request's API key and {@code Idempotency-Key} header, a CloudEvent's source and id, a Lambda request id), and
 * how a refusal leaves the function. One implementation per build, in the binding's source folder.
 */
public interface Invocation {

    /** The origin of the call being served; {@code bodyKey} is the request's own {@code idempotency_key}, or null. */
    Origin origin(String bodyKey);

    /** Runs the call; a binding may turn a refusal into what its platform reports. */
    default ImagesResponse run(Supplier<ImagesResponse> call) {
        return call.get();
    }
}
