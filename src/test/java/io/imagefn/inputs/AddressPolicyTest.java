package io.imagefn.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a URL may point at: the address policy on its own, address by address (no network). */
class AddressPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = { "169.254.169.254", "fd00:ec2::254", "0.0.0.0", "224.0.0.1", "fe80::1" })
    void refusesMetadataAndNonUnicastAddressesAlways(String address) throws Exception {
        assertTrue(AddressPolicy.alwaysRefused(InetAddress.getByName(address)), address);
    }

    /**
     * The cloud platforms' metadata and platform services, as their documentation gives them: AWS (169.254.169.254,
     * fd00:ec2::254), Google Cloud (169.254.169.254, fd20:ce::254), Azure (169.254.169.254 IMDS, 168.63.129.16
     * WireServer), Alibaba Cloud (100.100.100.200), Oracle Cloud (169.254.169.254, legacy 192.0.0.192); and IPv6 forms
     * of the IPv4 ones (IPv4-mapped arrives from the JDK as IPv4; SIIT, NAT64 and 6to4 carry them).
     */
    @ParameterizedTest
    @ValueSource(strings = { "169.254.169.254", "fd00:ec2::254", "fd20:ce::254", "168.63.129.16", "100.100.100.200",
            "192.0.0.192", "::ffff:100.100.100.200", "::ffff:0:6464:64c8", "64:ff9b::a83f:8110", "2002:c000:00c0::",
            "64:ff9b::6464:64c8", "::168.63.129.16" })
    void refusesEveryPlatformsMetadataAndPlatformAddressesAlways(String address) throws Exception {
        assertTrue(AddressPolicy.alwaysRefused(InetAddress.getByName(address)), address);
    }

    /** Their neighbours are judged by their ranges as before: the list is of addresses, not of networks. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({ "100.100.100.201,private", "168.63.129.17,public",
            "192.0.0.193,private", "fd20:ce::253,private" })
    void theNeighboursOfPlatformAddressesKeepTheirRangesVerdict(String address, String verdict) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        String got = AddressPolicy.alwaysRefused(a) ? "always" : AddressPolicy.isPrivate(a) ? "private" : "public";
        assertEquals(verdict, got, address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "::1", "10.0.0.8", "172.16.5.4", "192.168.1.1", "100.64.0.1", "fd12::1" })
    void treatsLoopbackAndPrivateRangesAsPrivate(String address) throws Exception {
        assertTrue(AddressPolicy.isPrivate(InetAddress.getByName(address)), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8" })
    void acceptsPublicAddresses(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertTrue(!AddressPolicy.isPrivate(a) && !AddressPolicy.alwaysRefused(a), address);
    }

    /** IPv6 addresses that carry an IPv4 address are judged by it (NAT64, 6to4, IPv4-compatible, SIIT, Teredo). */
    @ParameterizedTest
    @ValueSource(strings = { "64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1", "::ffff:0:7f00:1",
            "64:ff9b:1:7f00:0:100::", "2001:0:4136:e378:8000:63bf:80ff:fffe", "64:ff9b::a00:8", "2002:c0a8:101::" })
    void treatsIpv6AddressesThatEmbedAPrivateIpv4AsPrivate(String address) throws Exception {
        assertTrue(AddressPolicy.isPrivate(InetAddress.getByName(address)), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::169.254.169.254", "::ffff:0:a9fe:a9fe" })
    void refusesIpv6AddressesThatEmbedTheMetadataAddressAlways(String address) throws Exception {
        assertTrue(AddressPolicy.alwaysRefused(InetAddress.getByName(address)), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "64:ff9b::5db8:d822", "2002:5db8:d822::", "::1", "::" })
    void judgesOtherIpv6AddressesOnTheirOwn(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        boolean publicV4 = address.contains("5db8:d822"); // 93.184.216.34
        assertEquals(!publicV4, AddressPolicy.isPrivate(a) || AddressPolicy.alwaysRefused(a), address);
    }


    /** The edges of the ranges the policy names (the first and last address in, the first address out). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({ "0.0.0.1,always", "239.255.255.255,always", "240.0.0.1,always",
            "255.255.255.255,always", "1.0.0.0,public", "223.255.255.255,public", "100.64.0.0,private",
            "100.127.255.255,private", "100.63.255.255,public", "100.128.0.0,public", "192.0.0.8,private",
            "192.0.1.1,public", "198.18.0.1,private", "198.19.255.254,private", "198.17.0.1,public",
            "198.20.0.1,public", "fc00::1,private", "fdff::1,private", "fe00::1,public", "fd00:ec2::254,always",
            "fd00:ec2::253,private", "2001:0:4136:e378:8000:63bf:3fff:fdd2,public", "::2,always", "::1:0:0:2,public" })
    void theRangesEndWhereTheRegistriesSay(String address, String verdict) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        String got = AddressPolicy.alwaysRefused(a) ? "always" : AddressPolicy.isPrivate(a) ? "private" : "public";
        assertEquals(verdict, got, address);
    }
}
