package io.imagefn.upstream;

import java.time.Duration;

/** The upstream is failing (5xx, 408, connection errors): these, and timeouts, are what open the circuit breaker. */
public class UpstreamUnavailableException extends UpstreamException {

    UpstreamUnavailableException(int status, UpstreamError error, String requestId, Duration retryAfter,
            Boolean shouldRetry, Throwable cause) {
        super(status, error, requestId, retryAfter, shouldRetry, cause);
    }
}
