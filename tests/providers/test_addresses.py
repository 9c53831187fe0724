"""Which addresses PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS keeps providers away from: every
range of IANA's special-purpose registries that is not reachable on the internet, and
IPv6 forms that carry such an IPv4 address inside; public addresses stay allowed."""

import pytest

from playground.providers.addresses import is_private
from playground.providers.base_url import private_address_problem

REFUSED = [
    # IPv4 (RFC 6890 and the IANA IPv4 special-purpose registry)
    "0.0.0.0",
    "0.1.2.3",
    "10.1.2.3",
    "100.64.0.1",  # shared address space (RFC 6598): carrier NAT, tailnets
    "100.100.100.200",  # Alibaba Cloud's metadata service
    "100.127.255.254",
    "127.0.0.1",
    "127.8.9.10",
    "169.254.169.254",  # AWS/GCP/Azure metadata
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",  # IETF protocol assignments
    "192.0.0.170",  # NAT64 discovery
    "192.0.0.200",
    "192.0.2.10",  # TEST-NET-1
    "192.88.99.1",  # 6to4 relay anycast (deprecated)
    "192.168.1.1",
    "198.18.0.1",  # benchmarking
    "198.19.255.255",
    "198.51.100.7",  # TEST-NET-2
    "203.0.113.9",  # TEST-NET-3
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "254.1.2.3",
    "255.255.255.255",  # limited broadcast
    # IPv6 (the IANA IPv6 special-purpose registry)
    "::",
    "::1",
    "::ffff:127.0.0.1",  # IPv4-mapped: judged by the IPv4 inside
    "::ffff:169.254.169.254",
    "::ffff:100.100.100.200",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1",  # NAT64 well-known prefix around 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # … around 169.254.169.254
    "64:ff9b::6464:64c8",  # … around 100.100.100.200
    "64:ff9b:1::808:808",  # NAT64 local-use prefix: whatever it carries
    "100::1",  # discard-only
    "2001::1",  # Teredo
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, a public server inside
    "2001:2::1",  # benchmarking
    "2001:10::1",  # ORCHID
    "2001:db8::1",  # documentation
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:808:808::1",  # 6to4 around a public address: refused too (a relay's route)
    "3fff::1",  # documentation (RFC 9637)
    "5f00::1",  # SRv6 SIDs
    "fc00::1",  # unique local
    "fd12:3456:789a::1",
    "fe80::1",  # link-local
    "fe80::1%eth0",
    "fec0::1",  # site-local (deprecated)
    "ff02::1",  # multicast
    "ff05::2",
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "100.63.255.255",  # just below the shared address space
    "100.128.0.1",  # just above it
    "172.32.0.1",
    "192.0.3.1",
    "198.20.0.1",
    "223.255.255.254",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",  # IPv4-mapped around a public address
    "64:ff9b::808:808",  # NAT64 (DNS64) around 8.8.8.8: how an IPv6-only host reaches it
]


@pytest.mark.parametrize("address", REFUSED)
def test_special_purpose_addresses_are_refused(address):
    assert is_private(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert not is_private(address)


@pytest.mark.parametrize(
    "host", ["100.100.100.200", "[2002:a00:1::1]", "[64:ff9b::a00:1]", "198.18.0.1"]
)
def test_a_base_url_on_such_an_address_is_refused_in_words(host):
    problem = private_address_problem(f"http://{host}/v1", resolve=False)
    assert problem is not None
    assert "does not allow provider URLs on private or loopback addresses" in problem
