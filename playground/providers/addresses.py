"""Which addresses a provider connection may reach when PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS
is on, and the refusal that says so.

Shared by the check when a provider is saved (playground.providers.base_url) and by
the check at connect time (asyncio_backend; asyncio_transport through a proxy), which is
the one that counts: a host name can resolve to a public address when saved and to
127.0.0.1 later (DNS rebinding).
"""

import ipaddress
from collections.abc import Sequence

import httpcore
from django.utils.translation import gettext as _

# IANA's special-purpose address registries (IPv4 and IPv6, as of 2025): every block that
# is not reachable on the internet, written out because the ``ipaddress`` properties lag
# behind them (Python 3.11 misses 100.64.0.0/10, 192.0.0.0/24 beyond /29, 2002::/16,
# 3fff::/20 …). Blocks that carry an IPv4 address (IPv4-mapped, the NAT64 well-known
# prefix) are judged by that address instead: see ``_embedded_ipv4``.
SPECIAL_PURPOSE_NETWORKS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space: carrier NAT, tailnets, Alibaba's metadata
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local: cloud metadata at 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
        "::/128",
        "::1/128",
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # NAT64 local use: the network's own translator
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments: Teredo (2001::/32), benchmarking, ORCHID
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: the route goes through whatever relay answers
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")


def is_private(address: str) -> bool:
    """True for addresses a hosted deployment keeps providers away from: every address
    that is not globally reachable (private, loopback, link-local with the cloud metadata
    at 169.254.169.254, shared 100.64.0.0/10, documentation, benchmarking, reserved,
    multicast, unspecified) and IPv6 forms that reach one of them (6to4, Teredo, an
    IPv4-mapped or NAT64 address around a private IPv4 address)."""
    ip = ipaddress.ip_address(address)
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return is_private(str(embedded))
    if isinstance(ip, ipaddress.IPv6Address) and (
        ip.sixtofour is not None or ip.teredo is not None
    ):
        return True  # tunnels to an IPv4 address through relays: never a provider's own
    # is_global is false for private, loopback, link-local, reserved and unspecified
    # addresses; the list adds what this Python's tables miss, multicast included.
    return not ip.is_global or any(ip in network for network in SPECIAL_PURPOSE_NETWORKS)


def _embedded_ipv4(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for when a connection to it reaches that
    IPv4 host: IPv4-mapped (::ffff:a.b.c.d, how dual-stack sockets show IPv4) and the NAT64
    well-known prefix (64:ff9b::a.b.c.d, what DNS64 gives an IPv6-only host; RFC 6052
    forbids it for non-global IPv4, but a translator may not check)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip in _IPV4_MAPPED or ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def private_address_refusal_text(
    host: str, addresses: Sequence[str], *, connecting: bool = False
) -> str:
    """The sentence refusing ``host``, which is or resolves to the private ``addresses``."""
    listed = ", ".join(addresses)
    if (host,) == tuple(addresses):
        text = _(
            "This deployment does not allow provider URLs on private or loopback addresses, "
            "and %(host)s is one."
        )
    elif connecting:
        text = _(
            "This deployment does not allow provider URLs on private or loopback addresses, "
            "and %(host)s resolved to %(addresses)s when connecting."
        )
    else:
        text = _(
            "This deployment does not allow provider URLs on private or loopback addresses, "
            "and %(host)s resolves to %(addresses)s."
        )
    return text % {"host": host, "addresses": listed}


class PrivateAddressRefused(httpcore.ConnectError):
    """A connection not opened: ``host`` resolved to ``addresses``, which the rule refuses.

    A ConnectError, so that httpx and everything above treat it as one (httpx re-raises it
    as httpx.ConnectError with this as its cause: see ``private_address_refusal``)."""

    def __init__(self, host: str, addresses: tuple[str, ...]) -> None:
        self.host = host
        self.addresses = addresses
        super().__init__(private_address_refusal_text(host, addresses, connecting=True))


def private_address_refusal(error: BaseException) -> PrivateAddressRefused | None:
    """The refusal behind ``error`` (an httpx error), if a refusal is what it was."""
    seen: BaseException | None = error
    for _attempt in range(10):
        if seen is None:
            return None
        if isinstance(seen, PrivateAddressRefused):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
