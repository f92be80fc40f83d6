package io.imagefn.upstream;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;

/**
 * What a failed upstream call means to the caller, in the OpenAI error shape: the upstream's own refusals passed on,
 * our credentials' failures withheld, rate limits with {@code Retry-After}, and the fault tolerance's timeout, open
 * breaker and full bulkhead ({@link UpstreamSlots}) as 504 and 503. The one place that knows SmallRye's exception
 * types.
 */
public final class CallerErrors {

    private CallerErrors() {
    }

    /**
     * Runs {@code call} and turns its failures into what the caller should see; {@code requestId} learns the
     * upstream's request id of a failed call.
     */
    public static <T> T translate(Supplier<T> call, Consumer<Optional<String>> requestId) {
        try {
            return call.get();
        } catch (UpstreamException e) {
            requestId.accept(e.requestId());
            throw toCallerError(e);
        } catch (TimeoutException e) {
            throw timeout();
        } catch (CircuitBreakerOpenException e) {
            throw new ImagesApiException(503, "api_error", null, "upstream_unavailable",
                    "The upstream images API is failing; calls are paused for a while. Retry later.",
                    Duration.ofSeconds(5));
        } catch (UpstreamSlots.Busy e) {
            throw new ImagesApiException(503, "api_error", null, "too_many_concurrent_requests",
                    "Too many image requests in flight on this instance. Retry shortly.", Duration.ofSeconds(1));
        }
    }

    private static ImagesApiException timeout() {
        return new ImagesApiException(504, "api_error", null, "upstream_timeout",
                "The upstream images API did not answer in time.", null);
    }

    static ImagesApiException toCallerError(UpstreamException e) {
        int status = e.status();
        UpstreamException.UpstreamError error = e.error();
        String requestId = e.requestId().orElse("-");
        Log.warnf("Upstream failed: status %d, type %s, code %s, request %s", status, Redaction.forLog(error.type()),
                Redaction.forLog(error.code()), Redaction.forLog(requestId));
        if (status == 504 && "upstream_timeout".equals(error.code())) {
            return timeout();
        }
        if (status == 401 || status == 403) {
            // our credentials, not the caller's: say so without passing on details
            return new ImagesApiException(502, "api_error", null, "upstream_auth_failed",
                    "The upstream images API refused imagefn's credentials. An operator must check the configured "
                            + "API key.", null);
        }
        if (status == 429) {
            Duration wait = e.retryAfter().orElse(Duration.ofSeconds(1));
            String code = error.code() == null ? "rate_limit_exceeded" : error.code();
            // the upstream's text names our organization: keep it out
            return new ImagesApiException(429, error.type() == null ? "requests" : error.type(), null, code, "The upstream images API is rate limiting requests (" + code + "). Retry after "
                            + Math.max(1, (wait.toMillis() + 999) / 1000) + " seconds.", wait);
        }
        if (status >= 400 && status < 500 && status != 408 && status != 409) {
            String message = error.message() == null ? "The upstream images API rejected the request." : error.message();
            String type = error.type() == null ? ImagesApiException.INVALID_REQUEST : error.type();
            return new ImagesApiException(status, type, error.param(), error.code(), message, null);
        }
        String what = status == 0 ? "could not be reached" : status == 502 && "bad_upstream_response".equals(error.code())
                ? "sent an unusable response (" + error.message() + ")" : "failed with status " + status;
        return new ImagesApiException(502, "api_error", null,
                error.code() == null ? "upstream_error" : error.code(),
                "The upstream images API " + what + " (upstream request " + requestId + ").", null);
    }
}
