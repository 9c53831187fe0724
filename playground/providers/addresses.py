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


def is_private(address: str) -> bool:
    """True for addresses a hosted deployment keeps providers away from: private, loopback,
    link-local (cloud metadata at 169.254.169.254), reserved, multicast, unspecified."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def private_address_refusal_text(
    host: str, addresses: Sequence[str], *, connecting: bool = False
) -> str:
    """The sentence refusing ``host``, which is or resolves to the private ``addresses``."""
    listed = ", ".join(addresses)
    if (host,) == tuple(addresses):
        where = f"{host} is one."
    elif connecting:
        where = f"{host} resolved to {listed} when connecting."
    else:
        where = f"{host} resolves to {listed}."
    return (
        "This deployment does not allow provider URLs on private or loopback addresses, "
        f"and {where}"
    )


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
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, PrivateAddressRefused):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
