"""IPv6 addresses that carry an IPv4 address inside, unwrapped before a range check.

A host answering `64:ff9b::a9fe:a9fe` reaches 169.254.169.254 through a NAT64 gateway, so the
embedded address is the one that must be public.
"""
from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address, IPv6Network

# RFC 4291 section 2.5.5.1: IPv4-compatible (deprecated, still routed by some stacks).
COMPATIBLE = IPv6Network("::/96")
# RFC 2765 section 2.1: IPv4-translated (SIIT).
TRANSLATED = IPv6Network("::ffff:0:0:0/96")
# RFC 6052 section 2.1: the well-known NAT64 prefix, IPv4 in the last 32 bits.
NAT64 = IPv6Network("64:ff9b::/96")
# RFC 8215: the local-use NAT64 prefix; its operator picks the embedding, so refuse it whole.
LOCAL_NAT64 = IPv6Network("64:ff9b:1::/48")


class UnknownEmbedding(ValueError):
    """An IPv6 range that embeds an IPv4 address okrsync cannot locate."""


def embedded_ipv4s(ip: IPv6Address) -> list[IPv4Address]:
    """The IPv4 addresses `ip` leads to (mapped, compatible, translated, NAT64, 6to4, Teredo)."""
    if ip in LOCAL_NAT64:
        raise UnknownEmbedding(str(ip))
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:                       # 2002::/16, RFC 3056
        return [ip.sixtofour]
    if ip.teredo is not None:                          # 2001::/32, RFC 4380: server and client
        return list(ip.teredo)
    if ip in NAT64 or ip in TRANSLATED or (ip in COMPATIBLE and int(ip) > 1):
        return [IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def addresses_to_check(address: str) -> list[ipaddress.IPv4Address | IPv6Address]:
    """`address` itself and every IPv4 address it embeds; UnknownEmbedding if it cannot tell."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, IPv4Address):
        return [ip]
    return [ip, *embedded_ipv4s(ip)]
