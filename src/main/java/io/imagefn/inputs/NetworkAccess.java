package io.imagefn.inputs;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * How the URL fetchers reach the network: the name lookup, and a last look at the addresses about to be connected to
 * (after the address policy has vetted them). In production, the system's resolver and nothing more; the tests put a
 * loopback-only one in its place (a CDI alternative), which refuses and reports any other destination, so that no test
 * can send traffic off the machine even when the production guard regresses.
 */
@ApplicationScoped
public class NetworkAccess {

    /** The addresses of {@code host} (a name, or an address literal). */
    public InetAddress[] lookup(String host) throws UnknownHostException {
        return InetAddress.getAllByName(host);
    }

    /**
     * Called with the vetted addresses the connection will go to.
     *
     * @throws UnknownHostException to stop the connection
     */
    public void connecting(String host, InetAddress[] addresses) throws UnknownHostException {
        // production: the address policy has decided
    }
}
