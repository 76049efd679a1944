"""DNS rebinding: the safe session connects only to addresses checked at connect time (a real socket)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from config.urlsafety import UnsafeURL, safe_session

PUBLIC_IP = "93.184.216.34"


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = f"host={self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    server.connections = 0
    original = server.process_request

    def counting(request, address):
        server.connections += 1
        original(request, address)

    server.process_request = counting
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


class Rebinding:
    """Answers a public address the first time and loopback afterwards, as a rebinding attacker does."""

    def __init__(self):
        self.answers: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        answer = PUBLIC_IP if not self.answers else "127.0.0.1"
        self.answers.append(answer)
        return [answer]


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_at_connect(local_server):
    resolver = Rebinding()
    port = local_server.server_address[1]
    with pytest.raises(UnsafeURL):
        safe_session((), resolver).get(f"https://tracker.example:{port}/rest/api/3/myself", timeout=5)
    assert resolver.answers == [PUBLIC_IP, "127.0.0.1"]   # checked twice: URL, then connect
    assert local_server.connections == 0


def test_the_session_connects_to_the_address_it_checked(local_server):
    # `tracker.test` exists only in this resolver: reaching the server proves the socket went to
    # the checked address, not to a second, system DNS lookup. The Host header keeps the name.
    port = local_server.server_address[1]
    session = safe_session(("tracker.test",), lambda host, _port: ["127.0.0.1"])
    answer = session.get(f"http://tracker.test:{port}/hello", timeout=5)
    assert answer.status_code == 200 and answer.text == f"host=tracker.test:{port}"
    assert local_server.connections == 1


def test_an_unreachable_checked_address_is_a_connection_error_not_a_fallback(local_server):
    session = safe_session(("tracker.test",), lambda host, _port: ["127.0.0.1"])
    with pytest.raises(requests.ConnectionError):
        session.get("http://tracker.test:9/unused", timeout=5)   # nothing listens on port 9
    assert local_server.connections == 0
