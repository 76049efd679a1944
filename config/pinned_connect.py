"""Connect-time address checks for requests sessions: sockets go only to addresses that passed.

`SafeSession` checks each URL before sending, but the HTTP library resolves the host again when
it connects; a DNS answer that changes in between (DNS rebinding) would reach a private address.
These connection classes resolve once, check the answers with the outbound policy, and connect
to exactly those addresses. TLS still verifies the certificate against the host name.
"""
from __future__ import annotations

import socket
from typing import Iterable

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

from config.urlsafety import Resolver, allowed_addresses


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
