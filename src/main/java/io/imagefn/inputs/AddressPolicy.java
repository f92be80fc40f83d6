package io.imagefn.inputs;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Which resolved addresses an image URL may point at. */
final class AddressPolicy {

    private AddressPolicy() {
    }

    /**
     * Never fetched, whatever the configuration: link-local (169.254.0.0/16, including the cloud metadata service
     * 169.254.169.254, and fe80::/10), the unspecified address, multicast, and the AWS IPv6 metadata address.
     */
    static boolean alwaysRefused(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            return first == 0 || first >= 240;
        }
        // fd00:ec2::254, the EC2 metadata service over IPv6
        return a instanceof Inet6Address && (b[0] & 0xff) == 0xfd && b[1] == 0 && (b[2] & 0xff) == 0x0e
                && (b[3] & 0xff) == 0xc2 && (b[15] & 0xff) == 0x54 && (b[14] & 0xff) == 0x02;
    }

    /** Loopback and private ranges: refused unless the operator allows private addresses. */
    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19)); // benchmarking
        }
        return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
    }
}
