"""The customer page on the local network, so a learner's own phone can open the QR code.

By default the simulator listens on 127.0.0.1 only: the QR code's address then works in a
second browser tab on the same machine, not on a phone. ``--phone-host 192.168.1.20``
(practice mode: ``MADOGUCHI_PRACTICE_PHONE_HOST``) adds a second listener on that address
that serves the customer page and nothing else, and makes the QR code point at it.

The merchant API and the control API (``/v2``, ``/_sim``) stay on 127.0.0.1: on the
phone listener they do not exist (404). The address must be a private-network one
(10/8, 172.16/12, 192.168/16, fc00::/7, link-local; or loopback): a public address, or
"every address" (0.0.0.0, ::), is refused, since a simulator that approves payments
has no business on the internet. Requests from a public client address are refused
too (403), in case a router forwards the port.

    >>> phone_host("192.168.1.20"), phone_host("fd00::5")
    ('192.168.1.20', 'fd00::5')
    >>> phone_host("0.0.0.0")
    Traceback (most recent call last):
    ...
    sync.paysim.lan.NotPrivate: the customer page listens on one private-network address, not '0.0.0.0' (every address)
    >>> phone_host("203.0.113.7")
    Traceback (most recent call last):
    ...
    sync.paysim.lan.NotPrivate: the customer page listens on a private-network address (10.x, 172.16-31.x, 192.168.x), not the public '203.0.113.7'
    >>> phone_url("192.168.1.20", 8766), phone_url("fd00::5", 8766)
    ('http://192.168.1.20:8766', 'http://[fd00::5]:8766')
"""

from __future__ import annotations

import ipaddress

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

PHONE_PATHS = ("/pay/",)  # and "/" itself: the list of waiting payments


class NotPrivate(ValueError):
    """Not an address the customer page may listen on or answer."""


# Spelled out rather than ``is_private``: Python counts the documentation ranges
# (192.0.2.0/24, 203.0.113.0/24...) as private, and they are not a local network.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8",
    "fc00::/7", "fe80::/10", "::1/128"))


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in PRIVATE_NETWORKS if network.version == address.version)


def phone_host(host: str) -> str:
    """``host`` if it is one private-network IP address, else NotPrivate."""
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        raise NotPrivate(f"the customer page needs an IP address of this machine on the local "
                         f"network, not {host!r}") from None
    if address.is_unspecified:
        raise NotPrivate(f"the customer page listens on one private-network address, not {host!r} (every address)")
    if not _private(address):
        raise NotPrivate("the customer page listens on a private-network address (10.x, 172.16-31.x, "
                         f"192.168.x), not the public {host!r}")
    return str(address)


def phone_url(host: str, port: int) -> str:
    address = ipaddress.ip_address(host)
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def client_allowed(host: str | None) -> bool:
    try:
        return host is not None and _private(ipaddress.ip_address(host))
    except ValueError:
        return False


class PhoneOnly:
    """ASGI middleware: what arrives on the phone listener's port may read and pay the
    customer page only, and only from a private-network client."""

    def __init__(self, app: ASGIApp, phone_port: int) -> None:
        self.app = app
        self.phone_port = phone_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server") or (None, None)
        if scope["type"] != "http" or server[1] != self.phone_port:
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if not (path == "/" or path.startswith(PHONE_PATHS)):
            return await PlainTextResponse("not here", status_code=404)(scope, receive, send)
        client = scope.get("client") or (None, None)
        if not client_allowed(client[0]):
            return await PlainTextResponse("local network only", status_code=403)(scope, receive, send)
        return await self.app(scope, receive, send)
