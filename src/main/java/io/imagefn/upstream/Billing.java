package io.imagefn.upstream;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

import javax.net.ssl.SSLHandshakeException;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Whether a failed upstream exchange may have been paid for: the one answer that releasing a reservation (and, with
 * several deployments, falling over to another) reads, so that nothing decides it twice.
 * <ul>
 * <li><b>Certainly unpaid</b>: nothing reached the upstream (the connection refused, the name unknown, the TLS
 * handshake failed, every slot busy, the breaker open), or the upstream refused the request outright: 429, 401, 403,
 * any other 4xx but 408, a 503 that asks to come back later ({@code Retry-After}) or says it is overloaded.</li>
 * <li><b>Maybe paid</b>: the request was sent and the answer never came whole: a timeout (ours or a 408/504), a
 * connection lost after sending, a generic 5xx, or a 2xx answer that could not be read (the images were produced).
 * A generation can be billed although its answer was lost, so these are never treated as free.</li>
 * </ul>
 */
public final class Billing {

    private Billing() {
    }

    public static boolean mayHaveBeenPaid(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof UpstreamSlots.Busy || c instanceof CircuitBreakerOpenException
                    || c instanceof BulkheadException) {
                return false;
            }
            if (c instanceof UpstreamException u) {
                return u.status() == 0 ? !neverSent(u.getCause()) : mayHaveBeenPaid(u);
            }
        }
        // a timeout of the attempt, or anything unforeseen after the request may have gone out
        return true;
    }

    private static boolean mayHaveBeenPaid(UpstreamException u) {
        int status = u.status();
        if (status == 503) {
            String code = u.error().code();
            return u.retryAfter().isEmpty() && !"overloaded".equals(code) && !"server_overloaded".equals(code);
        }
        if (status >= 400 && status < 500) {
            return status == 408;
        }
        return true;
    }

    /** The connection failed before the request could be written. */
    private static boolean neverSent(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }
}
