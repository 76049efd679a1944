"""Outbound URL safety: tracker and LLM URLs must be https and reach public addresses.

Private, loopback, link-local and metadata ranges are refused unless allowlisted
(OKRSYNC_OUTBOUND_ALLOWLIST or the admin pages): hosts, host:port pairs or CIDRs.

`SafeSession` checks each URL before sending, but the HTTP library resolves the host again when
it connects; a DNS answer that changes in between (DNS rebinding) would reach a private address.
So its connections resolve once, check the answers with the same policy, and connect to exactly
those addresses. TLS still verifies the certificate against the host name.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from typing import Callable, Iterable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

from config.embedded_ipv4 import UnknownEmbedding, addresses_to_check

Resolver = Callable[[str, int], list[str]]


class UnsafeURL(ValueError):
    """The URL may not be called from okrsync."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeURL(f"{host} does not resolve") from exc
    except UnicodeError as exc:   # a host IDNA cannot encode ("$" then a private-use character)
        raise UnsafeURL("the URL's host is not a valid domain name") from exc
    return [info[4][0] for info in infos]


def _is_public(address: str) -> bool:
    """Public, and so is every IPv4 address it embeds (NAT64, 6to4, Teredo, mapped...)."""
    try:
        checked = addresses_to_check(address)
    except UnknownEmbedding:
        return False
    embedded = checked[1:]
    if embedded:
        # The IPv6 wrapper ranges themselves are not "global"; what they reach decides.
        return all(ip.is_global and not ip.is_multicast for ip in embedded)
    return checked[0].is_global and not checked[0].is_multicast


def _allowlisted(host: str, port: int, addresses: Iterable[str], allowlist: Iterable[str]) -> bool:
    for entry in allowlist:
        entry = entry.strip().lower()
        if entry in (host, f"{host}:{port}"):
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if any(ipaddress.ip_address(a.split("%")[0]) in network for a in addresses):
            return True
    return False


def check_outbound_url(url: str, allowlist: Iterable[str] = (),
                       resolve: Resolver = system_resolver) -> str:
    """Return the URL when it is safe to call, else raise UnsafeURL saying why."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:   # an unclosed "[" (urlsplit reads an IPv6 host)
        raise UnsafeURL("the URL is not valid: " + str(exc)) from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeURL("the URL must be an absolute https URL")
    if parts.username or parts.password:
        raise UnsafeURL("credentials do not belong in the URL")
    host = parts.hostname.lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL("the URL's port is not a number") from exc
    allowed_addresses(host, port, parts.scheme == "https", allowlist, resolve)
    return url


def allowed_addresses(host: str, port: int, https: bool, allowlist: Iterable[str] = (),
                      resolve: Resolver = system_resolver) -> list[str]:
    """The addresses `host` resolves to, when okrsync may connect to them; else UnsafeURL."""
    addresses = resolve(host, port)
    if _allowlisted(host, port, addresses, list(allowlist)):
        return addresses
    if not https:
        raise UnsafeURL("the URL must use https (plain http only for allowlisted hosts)")
    if not addresses or not all(_is_public(a) for a in addresses):
        raise UnsafeURL(f"{host} resolves to a private, loopback or link-local address; "
                        "an admin can allowlist it")
    return addresses


class _CheckedConnect:
    """Mixed into urllib3's connections; the subclass made per session sets the policy."""

    outbound_allowlist: tuple[str, ...] = ()
    outbound_https = True

    @staticmethod
    def outbound_resolve(host: str, port: int) -> list[str]:
        raise NotImplementedError

    def _new_conn(self) -> socket.socket:
        if getattr(self, "proxy", None) is not None:
            return super()._new_conn()   # the proxy resolves the target; the URL was checked
        addresses = allowed_addresses(self._dns_host, self.port, self.outbound_https,
                                      self.outbound_allowlist, self.outbound_resolve)
        failure: OSError | None = None
        for address in addresses:
            try:
                return connection.create_connection((address, self.port), self.timeout,
                                                    source_address=self.source_address,
                                                    socket_options=self.socket_options)
            except socket.timeout as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                                f"(connect timeout={self.timeout})") from exc
            except OSError as exc:
                failure = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, pools: dict, **kwargs):
        self._pools = pools
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools


def pinned_adapter(allowlist: Iterable[str], resolve: Resolver) -> HTTPAdapter:
    """An adapter whose connections check, and connect to, the addresses they resolve."""
    policy = {"outbound_allowlist": tuple(allowlist), "outbound_resolve": staticmethod(resolve)}
    plain = type("CheckedHTTPConnection", (_CheckedConnect, HTTPConnection),
                 {**policy, "outbound_https": False})
    tls = type("CheckedHTTPSConnection", (_CheckedConnect, HTTPSConnection), policy)
    return _PinnedAdapter({
        "http": type("CheckedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
        "https": type("CheckedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": tls}),
    })


class SafeSession(requests.Session):
    """A requests Session that re-checks every URL it sends to, redirect hops included."""

    def __init__(self, allowlist: Iterable[str] = (), resolve: Resolver = system_resolver):
        super().__init__()
        self.outbound_allowlist = tuple(allowlist)
        self.resolve = resolve
        # The check above runs on the URL; this one at connect time, on the address the socket
        # really goes to, so a DNS answer that changes in between (rebinding) cannot slip past.
        adapter = pinned_adapter(self.outbound_allowlist, resolve)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request, **kwargs):
        # Session.resolve_redirects sends each hop through self.send, so redirects are checked too.
        check_outbound_url(request.url, self.outbound_allowlist, self.resolve)
        return super().send(request, **kwargs)


def safe_session(allowlist: Iterable[str] = (), resolve: Resolver = system_resolver) -> SafeSession:
    """A Session for tracker calls: every request and redirect target must pass the check."""
    return SafeSession(allowlist, resolve)


_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")


def valid_allowlist_entry(entry: str) -> bool:
    """A hostname, host:port, IP address or CIDR network."""
    try:
        ipaddress.ip_network(entry, strict=False)
        return True
    except ValueError:
        return bool(_HOST.match(entry))
