package io.imagefn.inputs;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which resolved addresses an image URL may point at. An IPv6 address that carries an IPv4 address (IPv4-compatible,
 * IPv4-translated, NAT64, 6to4, Teredo) is judged by the IPv4 address too: {@code [64:ff9b::7f00:1]} reaches
 * 127.0.0.1 through a NAT64 gateway as surely as 127.0.0.1 itself.
 */
final class AddressPolicy {

    private AddressPolicy() {
    }

    /**
     * The cloud platforms' own services at fixed addresses outside link-local, which hand out credentials or
     * configuration to whatever on the host asks (the inputs page lists them with their sources): Alibaba Cloud's
     * metadata service, Azure's WireServer, Oracle Cloud's legacy metadata address, and the IPv6 metadata addresses of
     * AWS (EC2) and Google Cloud.
     */
    private static final List<InetAddress> PLATFORM = List.of(literal("100.100.100.200"), literal("168.63.129.16"),
            literal("192.0.0.192"), literal("fd00:ec2::254"), literal("fd20:ce::254"));

    /**
     * Never fetched, whatever the configuration: link-local (169.254.0.0/16, which holds the metadata service of AWS,
     * Google Cloud, Azure, Oracle and others at 169.254.169.254, and fe80::/10), the unspecified address, multicast,
     * reserved IPv4, the platform services above, and any IPv6 address that carries one of these.
     */
    static boolean alwaysRefused(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress() || PLATFORM.contains(a)) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            return first == 0 || first >= 240;
        }
        return embeddedIpv4(b).stream().anyMatch(AddressPolicy::alwaysRefused);
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
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
        return (b[0] & 0xfe) == 0xfc // unique local fc00::/7
                || embeddedIpv4(b).stream().anyMatch(AddressPolicy::isPrivate);
    }

    /**
     * The IPv4 address an IPv6 address stands for, where it embeds one: ::a.b.c.d (IPv4-compatible),
     * ::ffff:0:a.b.c.d (IPv4-translated, SIIT), 64:ff9b::/96 (NAT64), 64:ff9b:1::/48 (local NAT64, RFC 6052 layout),
     * 2002::/16 (6to4) and 2001::/32 (Teredo: the client's address, stored inverted). (::ffff:a.b.c.d arrives from
     * the JDK as an IPv4 address already.)
     */
    static Optional<InetAddress> embeddedIpv4(byte[] b) {
        if (b.length != 16) {
            return Optional.empty();
        }
        if (zero(b, 0, 12) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1))) {
            return v4(b[12], b[13], b[14], b[15]); // ::a.b.c.d, not :: or ::1
        }
        if (zero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && b[10] == 0 && b[11] == 0) {
            return v4(b[12], b[13], b[14], b[15]);
        }
        if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            if (zero(b, 4, 12)) {
                return v4(b[12], b[13], b[14], b[15]);
            }
            if (b[4] == 0 && b[5] == 1) {
                return v4(b[6], b[7], b[9], b[10]); // a /48 prefix: bits 64-71 are the reserved u octet
            }
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return v4(b[2], b[3], b[4], b[5]);
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            return v4((byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]);
        }
        return Optional.empty();
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Optional<InetAddress> v4(byte a, byte b, byte c, byte d) {
        try {
            return Optional.of(InetAddress.getByAddress(new byte[] { a, b, c, d }));
        } catch (UnknownHostException impossible) {
            return Optional.empty();
        }
    }
}
