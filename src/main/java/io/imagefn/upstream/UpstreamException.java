package io.imagefn.upstream;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.observe.Redaction;

/**
 * The upstream answered with an error status (or could not be reached, status 0). Carries what the OpenAI API says
 * about the failure: the {@code error} object, {@code x-request-id} and the retry hints, so that one place can decide
 * what to retry and what the caller sees.
 */
public class UpstreamException extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final UpstreamError error;
    private final String requestId;
    private final Duration retryAfter;
    private final Boolean shouldRetry;

    UpstreamException(int status, UpstreamError error, String requestId, Duration retryAfter, Boolean shouldRetry,
            Throwable cause) {
        super("upstream status " + status + ": " + error.message(), cause);
        this.status = status;
        this.error = error;
        this.requestId = requestId;
        this.retryAfter = retryAfter;
        this.shouldRetry = shouldRetry;
    }

    /** The OpenAI error object as the upstream sent it (extra keys dropped). */
    public record UpstreamError(String message, String type, String param, String code) {
    }

    /** Maps an error response; 408 and 5xx become {@link UpstreamUnavailableException}, which opens the breaker. */
    static UpstreamException fromResponse(Response response) {
        int status = response.getStatus();
        String body = response.hasEntity() ? response.readEntity(String.class) : "";
        UpstreamError error = parseError(body, status);
        String requestId = requestId(response::getHeaderString);
        Duration retryAfter = parseRetryAfter(response.getHeaderString("retry-after-ms"),
                response.getHeaderString("retry-after"));
        String should = response.getHeaderString("x-should-retry");
        Boolean shouldRetry = should == null ? null : Boolean.valueOf(should.trim());
        if (status == 408 || status >= 500) {
            return new UpstreamUnavailableException(status, error, requestId, retryAfter, shouldRetry, null);
        }
        return new UpstreamException(status, error, requestId, retryAfter, shouldRetry, null);
    }

    /** OpenAI's {@code x-request-id}, else Azure OpenAI's {@code apim-request-id}. */
    static String requestId(java.util.function.UnaryOperator<String> header) {
        String id = header.apply("x-request-id");
        return id != null ? id : header.apply("apim-request-id");
    }

    /** The connection failed or broke: retried, and counted by the breaker. */
    static UpstreamException connectionFailed(Throwable cause) {
        return new UpstreamUnavailableException(0, new UpstreamError("connection to the upstream failed: "
                + cause.getClass().getSimpleName(), "api_connection_error", null, null), null, null, null, cause);
    }

    /** The upstream answered 2xx with a body that is not a usable images response: not retried (it may be billed). */
    static UpstreamException badResponse(String why, String requestId, Throwable cause) {
        return new UpstreamException(502, new UpstreamError("the upstream sent an unusable response: " + why,
                "api_error", null, "bad_upstream_response"), requestId, null, Boolean.FALSE, cause);
    }

    /**
     * The exchange ran past the attempt's timeout after it had started answering (a stream that does not end): not
     * retried, since images may already be billed.
     */
    static UpstreamException timedOut(String why) {
        return new UpstreamException(504, new UpstreamError(why, "api_error", null, "upstream_timeout"), null, null,
                Boolean.FALSE, null);
    }

    static UpstreamError parseError(String body, int status) {
        try {
            JsonNode e = JSON.readTree(body).path("error");
            if (e.isObject()) {
                String code = text(e, "code");
                // Azure OpenAI puts the HTTP status in code ("429", "401"), which says nothing more
                return new UpstreamError(text(e, "message"), text(e, "type"), text(e, "param"),
                        code != null && code.matches("\\d+") ? null : code);
            }
        } catch (Exception notJson) {
            // proxies and load balancers answer with HTML or plain text
        }
        return new UpstreamError("HTTP " + status, null, null, null);
    }

    /**
     * A field of the upstream's error as it may be passed on: one line, control characters escaped, no secret (an
     * upstream that quotes the bearer key it was sent must not hand it to our caller).
     */
    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : Redaction.passedOn(v.asText());
    }

    /** {@code retry-after-ms} first (the OpenAI SDKs' order), then {@code Retry-After} as seconds or an HTTP date. */
    public static Duration parseRetryAfter(String millis, String header) {
        try {
            if (millis != null) {
                return Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(millis.trim()))));
            }
            if (header != null) {
                String h = header.trim();
                if (h.matches("\\d+(\\.\\d+)?")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(h) * 1000));
                }
                ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            }
        } catch (RuntimeException unparseable) {
            // a malformed hint is no hint: the exponential backoff applies
        }
        return null;
    }

    /**
     * Retried as the official SDKs do: 408, 409, 429, 5xx and connection failures, unless {@code x-should-retry}
     * says otherwise, the quota is exhausted, or the server asks to wait longer than {@code maxRetryAfter}.
     */
    public boolean retryable(Duration maxRetryAfter) {
        if (retryAfter != null && retryAfter.compareTo(maxRetryAfter) > 0) {
            return false;
        }
        if (shouldRetry != null) {
            return shouldRetry;
        }
        if (status == 429) {
            return !"insufficient_quota".equals(error.code()) && !"insufficient_quota".equals(error.type());
        }
        return status == 0 || status == 408 || status == 409 || status >= 500;
    }

    public int status() {
        return status;
    }

    public UpstreamError error() {
        return error;
    }

    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
