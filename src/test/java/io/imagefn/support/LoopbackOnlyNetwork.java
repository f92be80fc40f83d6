package io.imagefn.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import com.google.common.net.InetAddresses;

import io.imagefn.inputs.NetworkAccess;

/**
 * The tests' network: the URL fetchers may reach loopback and nothing else, whatever the production guard decides.
 * A name other than {@code localhost} is never looked up (no DNS query leaves; names under the reserved test TLDs
 * are simply not found), and a connection about to go to any
 * other address than loopback is stopped; either is reported as a violation that fails the test in which it happened
 * ({@link NoTrafficOffLoopback}). In the Quarkus tests it replaces {@link NetworkAccess} as a CDI alternative; plain
 * tests pass it to the fetcher.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class LoopbackOnlyNetwork extends NetworkAccess {

    private static final String VIOLATIONS = "imagefn.test.network-violations";
    private static final String SCRIPTS = "imagefn.test.network-scripts";
    private static final java.util.regex.Pattern RESERVED = java.util.regex.Pattern.compile(
            "(?i)\\.(test|example|invalid)$");

    /** Violations so far, kept where every class loader of the test JVM sees the same list. */
    @SuppressWarnings("unchecked")
    static Queue<String> violations() {
        synchronized (System.getProperties()) {
            Object queue = System.getProperties().get(VIOLATIONS);
            if (queue == null) {
                queue = new ConcurrentLinkedQueue<String>();
                System.getProperties().put(VIOLATIONS, queue);
            }
            return (Queue<String>) queue;
        }
    }

    /**
     * Makes {@code host} answer {@code addresses} in turn, one lookup each, the last one repeated: a name that resolves
     * one way when it is checked and another when it is used (DNS rebinding). Only the lookup is scripted: a
     * connection to an address other than loopback is still stopped and reported.
     */
    public static void script(String host, String... addresses) {
        scripts().put(host.toLowerCase(java.util.Locale.ROOT),
                new ConcurrentLinkedQueue<>(java.util.List.of(addresses)));
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Queue<String>> scripts() {
        synchronized (System.getProperties()) {
            Object map = System.getProperties().get(SCRIPTS);
            if (map == null) {
                map = new java.util.concurrent.ConcurrentHashMap<String, Queue<String>>();
                System.getProperties().put(SCRIPTS, map);
            }
            return (java.util.Map<String, Queue<String>>) map;
        }
    }

    private static UnknownHostException violation(String what) {
        violations().add(what);
        return new UnknownHostException("the tests' network reaches loopback only: " + what);
    }

    @Override
    public InetAddress[] lookup(String host) throws UnknownHostException {
        Queue<String> scripted = scripts().get(host.toLowerCase(java.util.Locale.ROOT));
        if (scripted != null && !scripted.isEmpty()) {
            String answer = scripted.size() > 1 ? scripted.poll() : scripted.peek();
            return new InetAddress[] { InetAddresses.forString(answer) };
        }
        if (InetAddresses.isInetAddress(host)) {
            return new InetAddress[] { InetAddresses.forString(host) };
        }
        if (host.equalsIgnoreCase("localhost")) {
            return new InetAddress[] { InetAddress.getLoopbackAddress() };
        }
        if (RESERVED.matcher(host).find()) {
            // names under the TLDs reserved for tests and examples (RFC 2606) never resolve; no query is sent
            throw new UnknownHostException(host);
        }
        throw violation("a lookup of " + host);
    }

    @Override
    public void connecting(String host, InetAddress[] addresses) throws UnknownHostException {
        if (!Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress)) {
            throw violation("a connection to " + host + " " + Arrays.toString(addresses));
        }
    }
}
